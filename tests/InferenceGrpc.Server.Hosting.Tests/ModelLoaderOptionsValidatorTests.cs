using InferenceGrpc.Core.Models;
using InferenceGrpc.Server.Hosting;

namespace InferenceGrpc.Server.Hosting.Tests;

public sealed class ModelLoaderOptionsValidatorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(1_000_000)]
    public void Validate_DefaultMaxBatchSizeInRange_Succeeds(int size)
    {
        var result = new ModelLoaderOptionsValidator().Validate(null, new ModelLoaderOptions { DefaultMaxBatchSize = size });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void Validate_DefaultMaxBatchSizeOutOfRange_FailsNamingFlag(int size)
    {
        var result = new ModelLoaderOptionsValidator().Validate(null, new ModelLoaderOptions { DefaultMaxBatchSize = size });

        Assert.True(result.Failed);
        Assert.Contains("--default-max-batch-size", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Validate_DefaultInstanceCountOutOfRange_FailsNamingFlag(int count)
    {
        var result = new ModelLoaderOptionsValidator().Validate(null, new ModelLoaderOptions { DefaultInstanceCount = count });

        Assert.Contains("--default-instance-count", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_001)]
    public void Validate_SchedulerQueueSizeOutOfRange_FailsNamingFlag(int size)
    {
        var result = new SchedulerOptionsValidator().Validate(null, new InferenceGrpc.Core.Batching.SchedulerOptions { DefaultMaxQueueSize = size });

        Assert.Contains("--max-queue-size", Assert.Single(result.Failures!));
    }
}
