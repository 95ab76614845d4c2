using InferenceGrpc.LoadGen.Commands;

namespace InferenceGrpc.LoadGen.Tests.Commands;

public sealed class CommandHelpersTests
{
    [Fact]
    public void PositiveInts_CommaList_Parses()
    {
        Assert.Equal([1, 8, 32, 128], OptionLists.PositiveInts("--concurrency", "1, 8,32,128"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1,x")]
    [InlineData("-4")]
    public void PositiveInts_Invalid_NamesTheFlag(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => OptionLists.PositiveInts("--concurrency", text));

        Assert.True(text.Length == 0 || ex.Message.StartsWith("--concurrency", StringComparison.Ordinal));
    }

    [Fact]
    public void PositiveDoubles_Rates_Parse()
    {
        Assert.Equal([0.5, 100, 2500.25], OptionLists.PositiveDoubles("--rate", "0.5,100,2500.25"));
        Assert.Throws<ArgumentException>(() => OptionLists.PositiveDoubles("--rate", "0"));
    }

    [Theory]
    [InlineData("artifacts/models/minilm/1/model.onnx", "minilm")]
    [InlineData("/tmp/resnet50.onnx", "resnet50")]
    [InlineData("models/text_direction/12/model.onnx", "text_direction")]
    public void ModelNameFromPath_RepositoryLayoutOrFileName(string path, string expected)
    {
        Assert.Equal(expected, InProcessCommand.ModelNameFromPath(path));
    }
}
