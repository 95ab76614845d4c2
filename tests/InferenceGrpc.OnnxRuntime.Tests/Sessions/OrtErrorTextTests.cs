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
    [InlineData(
        "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory",
        "Failed to load library /app/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory")]
    [InlineData("[ErrorCode:Fail] f() [ONNXRuntimeError] : 1 : FAIL", "FAIL")]
    [InlineData("plain reason", "plain reason")]
    [InlineData("[ErrorCode:Fail] ", "unknown error")]
    public void Reason_StripsCodeAndFunctionName(string message, string expected)
    {
        Assert.Equal(expected, OrtErrorText.Reason(message));
    }
}
