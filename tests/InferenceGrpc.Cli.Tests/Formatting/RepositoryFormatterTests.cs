using InferenceGrpc.Cli.Formatting;
using ModelIndex = Inference.RepositoryIndexResponse.Types.ModelIndex;

namespace InferenceGrpc.Cli.Tests.Formatting;

public sealed class RepositoryFormatterTests
{
    private static readonly ModelIndex[] Models =
    [
        new() { Name = "resnet50", Version = "1", State = "READY" },
        new() { Name = "bert", Version = "12", State = "UNAVAILABLE", Reason = "load failed: bad opset" },
    ];

    [Fact]
    public void FormatTable_Models_ColumnsAlignedUnderHeader()
    {
        var table = RepositoryFormatter.FormatTable(Models);

        Assert.Equal(
            "NAME      VERSION  STATE        REASON\n" +
            "resnet50  1        READY\n" +
            "bert      12       UNAVAILABLE  load failed: bad opset\n",
            table);
    }

    [Fact]
    public void FormatTable_NoModels_HeaderOnly()
    {
        Assert.Equal("NAME  VERSION  STATE  REASON\n", RepositoryFormatter.FormatTable([]));
    }

    [Fact]
    public void FormatJson_Models_OneObjectEach()
    {
        var json = RepositoryFormatter.FormatJson(Models[..1]);

        Assert.Equal("""{"models":[{"name":"resnet50","version":"1","state":"READY","reason":""}]}""", json);
    }
}
