using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>The <c>dynamic_batching</c> block of config.json, with Triton's field names.</summary>
public sealed class DynamicBatchingConfigJsonTests
{
    private const string Model = "batcher";

    private static ModelConfigException Fails(string json) =>
        Assert.Throws<ModelConfigException>(() => ModelConfigJson.Parse(Model, json));

    [Fact]
    public void Parse_NoBlock_LeavesDynamicBatchingNull()
    {
        var config = ModelConfigJson.Parse(Model, """{ "max_batch_size": 8 }""");

        Assert.Null(config.DynamicBatching);
    }

    [Fact]
    public void Parse_EmptyBlock_IsPresentWithDefaults()
    {
        var block = ModelConfigJson.Parse(Model, """{ "dynamic_batching": {} }""").DynamicBatching;

        Assert.NotNull(block);
        Assert.Empty(block.PreferredBatchSizes);
        Assert.Equal(0, block.MaxQueueDelayMicroseconds);
        Assert.Equal(0, block.PriorityLevels);
        Assert.Equal(0, block.DefaultPriorityLevel);
        Assert.Null(block.MaxQueueSize);
        Assert.Equal(0, block.DefaultTimeoutMicroseconds);
    }

    [Fact]
    public void Parse_FullBlock_ReadsEveryField()
    {
        const string json = """
            {
              "dynamic_batching": {
                "preferred_batch_size": [4, 8],
                "max_queue_delay_microseconds": 100,
                "priority_levels": 3,
                "default_priority_level": 2,
                "default_queue_policy": {
                  "max_queue_size": 16,
                  "default_timeout_microseconds": 5000,
                  "timeout_action": "REJECT"
                }
              }
            }
            """;

        var block = ModelConfigJson.Parse(Model, json).DynamicBatching!;

        Assert.Equal([4, 8], block.PreferredBatchSizes);
        Assert.Equal(100, block.MaxQueueDelayMicroseconds);
        Assert.Equal(3, block.PriorityLevels);
        Assert.Equal(2, block.DefaultPriorityLevel);
        Assert.Equal(16, block.MaxQueueSize);
        Assert.Equal(5000, block.DefaultTimeoutMicroseconds);
    }

    [Fact]
    public void Parse_MaxQueueSizeZero_LeavesItToTheServer()
    {
        var block = ModelConfigJson.Parse(Model, """{ "dynamic_batching": { "default_queue_policy": { "max_queue_size": 0 } } }""").DynamicBatching!;

        Assert.Null(block.MaxQueueSize);
    }

    [Fact]
    public void Parse_TimeoutActionDelay_ThrowsNamingTheField()
    {
        var error = Fails("""{ "dynamic_batching": { "default_queue_policy": { "timeout_action": "DELAY" } } }""");

        Assert.Contains("timeout_action", error.Message);
        Assert.Contains("DELAY", error.Message);
    }

    [Fact]
    public void Parse_PriorityQueuePolicy_ThrowsNamingTheField()
    {
        var error = Fails("""{ "dynamic_batching": { "priority_levels": 2, "priority_queue_policy": { "1": { "max_queue_size": 4 } } } }""");

        Assert.Contains("priority_queue_policy", error.Message);
    }

    [Theory]
    [InlineData("[0, 4]")]
    [InlineData("[-2]")]
    public void Parse_PreferredBatchSizeBelowOne_Throws(string sizes)
    {
        var error = Fails($$"""{ "dynamic_batching": { "preferred_batch_size": {{sizes}} } }""");

        Assert.Contains("preferred_batch_size", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Parse_PriorityLevelsOutOfRange_Throws(int levels)
    {
        var error = Fails($$"""{ "dynamic_batching": { "priority_levels": {{levels}} } }""");

        Assert.Contains("priority_levels", error.Message);
    }

    [Fact]
    public void Parse_UnknownFieldInBlock_ThrowsNamingIt()
    {
        var error = Fails("""{ "dynamic_batching": { "max_queue_delay": 100 } }""");

        Assert.Contains("max_queue_delay", error.Message);
    }
}
