using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Models;
using static InferenceGrpc.Core.Tests.Batching.SchedulerKit;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>A model's config completed with the server's defaults into the rules its scheduler follows.</summary>
public sealed class BatchingPolicyTests
{
    private static readonly SchedulerOptions Defaults = new();

    private static ModelConfig Config(DynamicBatchingConfig? block = null) => new() { Name = Model, DynamicBatching = block };

    [Fact]
    public void Create_NoBlockAndBatchingByDefault_BatchesUpToMaxWithoutDelay()
    {
        var policy = BatchingPolicy.Create(Config(), Fp32Signature(maxBatchSize: 16), Defaults);

        Assert.True(policy.Batching);
        Assert.Equal(16, policy.MaxBatchSize);
        Assert.Equal(TimeSpan.Zero, policy.MaxQueueDelay);
        Assert.Empty(policy.PreferredBatchSizes);
        Assert.Equal(16, policy.TargetBatchSize);
    }

    [Fact]
    public void Create_NoBlockAndBatchingOffByDefault_RunsOneRequestAtATime()
    {
        var policy = BatchingPolicy.Create(Config(), Fp32Signature(maxBatchSize: 16), new SchedulerOptions { DynamicBatchingByDefault = false });

        Assert.False(policy.Batching);
        Assert.Equal(1, policy.MaxBatchSize);
    }

    [Fact]
    public void Create_BlockPresentAndBatchingOffByDefault_Batches()
    {
        var policy = BatchingPolicy.Create(Config(new DynamicBatchingConfig()), Fp32Signature(maxBatchSize: 16), new SchedulerOptions { DynamicBatchingByDefault = false });

        Assert.True(policy.Batching);
        Assert.Equal(16, policy.MaxBatchSize);
    }

    [Fact]
    public void Create_ModelWithoutBatchDimension_NeverBatchesEvenWithABlock()
    {
        var block = new DynamicBatchingConfig { MaxQueueDelayMicroseconds = 500, PreferredBatchSizes = [1] };

        var policy = BatchingPolicy.Create(Config(block), Fp32Signature(maxBatchSize: 0), Defaults);

        Assert.False(policy.Batching);
        Assert.Equal(1, policy.MaxBatchSize);
        Assert.Equal(TimeSpan.Zero, policy.MaxQueueDelay);
        Assert.Empty(policy.PreferredBatchSizes);
    }

    [Fact]
    public void Create_NoBlock_TakesTheServerQueueBoundAndOnePriorityLevel()
    {
        var policy = BatchingPolicy.Create(Config(), Fp32Signature(), new SchedulerOptions { DefaultMaxQueueSize = 77 });

        Assert.Equal(77, policy.MaxQueueSize);
        Assert.Equal(1, policy.PriorityLevels);
        Assert.Equal(1, policy.DefaultPriorityLevel);
        Assert.Equal(TimeSpan.Zero, policy.DefaultTimeout);
    }

    [Fact]
    public void Create_BlockWithoutMaxQueueSize_TakesTheServerQueueBound()
    {
        var policy = BatchingPolicy.Create(Config(new DynamicBatchingConfig()), Fp32Signature(), new SchedulerOptions { DefaultMaxQueueSize = 77 });

        Assert.Equal(77, policy.MaxQueueSize);
    }

    [Fact]
    public void Create_FullBlock_KeepsEveryField()
    {
        var block = new DynamicBatchingConfig
        {
            PreferredBatchSizes = [8, 2, 4, 4],
            MaxQueueDelayMicroseconds = 1500,
            PriorityLevels = 3,
            DefaultPriorityLevel = 2,
            MaxQueueSize = 12,
            DefaultTimeoutMicroseconds = 250_000,
        };

        var policy = BatchingPolicy.Create(Config(block), Fp32Signature(maxBatchSize: 8), Defaults);

        Assert.Equal([2, 4, 8], policy.PreferredBatchSizes);
        Assert.Equal(8, policy.TargetBatchSize);
        Assert.Equal(TimeSpan.FromMicroseconds(1500), policy.MaxQueueDelay);
        Assert.Equal(3, policy.PriorityLevels);
        Assert.Equal(2, policy.DefaultPriorityLevel);
        Assert.Equal(12, policy.MaxQueueSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.DefaultTimeout);
    }

    [Fact]
    public void Create_DefaultPriorityLevelZero_IsTheLowestLevel()
    {
        var policy = BatchingPolicy.Create(Config(new DynamicBatchingConfig { PriorityLevels = 4 }), Fp32Signature(), Defaults);

        Assert.Equal(4, policy.DefaultPriorityLevel);
    }

    [Fact]
    public void Create_PriorityLevelsZero_IsOneLevel()
    {
        var policy = BatchingPolicy.Create(Config(new DynamicBatchingConfig { PriorityLevels = 0 }), Fp32Signature(), Defaults);

        Assert.Equal(1, policy.PriorityLevels);
        Assert.Equal(1, policy.DefaultPriorityLevel);
    }

    [Fact]
    public void Create_PreferredSizeAboveMaxBatchSize_ThrowsNamingTheField()
    {
        var block = new DynamicBatchingConfig { PreferredBatchSizes = [4, 16] };

        var error = Assert.Throws<ModelConfigException>(() => BatchingPolicy.Create(Config(block), Fp32Signature(maxBatchSize: 8), Defaults));

        Assert.Contains("preferred_batch_size", error.Message);
        Assert.Contains(Model, error.Message);
    }

    [Fact]
    public void Create_DefaultPriorityLevelAboveLevels_Throws()
    {
        var block = new DynamicBatchingConfig { PriorityLevels = 2, DefaultPriorityLevel = 3 };

        var error = Assert.Throws<ModelConfigException>(() => BatchingPolicy.Create(Config(block), Fp32Signature(), Defaults));

        Assert.Contains("default_priority_level", error.Message);
    }

    [Fact]
    public void Create_SeveralProblems_ListsEveryOne()
    {
        var block = new DynamicBatchingConfig { PreferredBatchSizes = [99], PriorityLevels = 1, DefaultPriorityLevel = 5, MaxQueueSize = -1 };

        var error = Assert.Throws<ModelConfigException>(() => BatchingPolicy.Create(Config(block), Fp32Signature(), Defaults));

        Assert.Contains("preferred_batch_size", error.Message);
        Assert.Contains("default_priority_level", error.Message);
        Assert.Contains("max_queue_size", error.Message);
    }
}
