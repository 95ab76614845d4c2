using InferenceGrpc.OnnxRuntime.Sessions;

namespace InferenceGrpc.OnnxRuntime.Tests.Sessions;

public sealed class OrtErrorTextTests
{
    [Fact]
    public void FirstLine_DropsLaterLines()
    {
        Assert.Equal("[ErrorCode:Fail] boom", OrtErrorText.FirstLine("[ErrorCode:Fail] boom\r\n  at native frame\n"));
    }

    [Theory]
    [InlineData("[ErrorCode:Fail] OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library", "Failed to load shared library")]
    [InlineData("[ErrorCode:NoSuchFile] Load model from /m.onnx failed: missing", "Load model from /m.onnx failed: missing")]
    [InlineData("plain reason", "plain reason")]
    [InlineData("[ErrorCode:Fail] ", "unknown error")]
    public void Reason_StripsCodeAndFunctionName(string message, string expected)
    {
        Assert.Equal(expected, OrtErrorText.Reason(message));
    }
}
