using InferenceGrpc.Core.Models;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelConfigTests
{
    private static readonly long[] Present = [3, 1, 10, 2];

    [Fact]
    public void Select_DefaultPolicy_ServesTheHighestVersion()
    {
        Assert.Equal([10L], VersionPolicy.Default.Select(Present));
    }

    [Fact]
    public void Select_LatestTwo_ServesTheTwoHighestAscending()
    {
        Assert.Equal([3L, 10], new VersionPolicy(VersionPolicyKind.Latest, 2, []).Select(Present));
    }

    [Fact]
    public void Select_LatestMoreThanPresent_ServesAll()
    {
        Assert.Equal([1L, 2, 3, 10], new VersionPolicy(VersionPolicyKind.Latest, 9, []).Select(Present));
    }

    [Fact]
    public void Select_All_ServesEveryVersionAscending()
    {
        Assert.Equal([1L, 2, 3, 10], VersionPolicy.All.Select(Present));
    }

    [Fact]
    public void Select_Specific_ServesOnlyListedVersionsThatArePresent()
    {
        Assert.Equal([2L, 10], new VersionPolicy(VersionPolicyKind.Specific, 0, [10, 2, 7]).Select(Present));
    }

    [Fact]
    public void Select_NothingPresent_ServesNothing()
    {
        Assert.Empty(VersionPolicy.Default.Select([]));
    }

    [Fact]
    public void ExecutionKind_NoInstanceGroups_IsAuto()
    {
        Assert.Equal(ExecutionKind.Auto, new ModelConfig { Name = "m", InstanceGroups = [] }.ExecutionKind);
    }
}
