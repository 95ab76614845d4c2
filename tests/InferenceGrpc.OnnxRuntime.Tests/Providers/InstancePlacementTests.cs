using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime.Providers;

namespace InferenceGrpc.OnnxRuntime.Tests.Providers;

public sealed class InstancePlacementTests
{
    [Fact]
    public void DeviceId_GroupOfFourOnTwoGpus_GoesRoundRobin()
    {
        InstanceGroup[] groups = [new(4, ExecutionKind.Gpu, [0, 1])];

        Assert.Equal([0, 1, 0, 1], Enumerable.Range(0, 4).Select(i => InstancePlacement.DeviceId(groups, i, defaultDeviceId: 7)));
    }

    [Fact]
    public void DeviceId_SeveralGroups_NumbersInstancesThroughTheGroupsInOrder()
    {
        // Triton's example shape: one instance on GPU 0, then two on GPUs 1 and 2.
        InstanceGroup[] groups = [new(1, ExecutionKind.Gpu, [0]), new(2, ExecutionKind.Gpu, [1, 2])];

        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(i => InstancePlacement.DeviceId(groups, i, defaultDeviceId: 7)));
    }

    [Fact]
    public void DeviceId_GroupNamingNoGpu_UsesTheServerDefault()
    {
        InstanceGroup[] groups = [new(2, ExecutionKind.Auto, []), new(1, ExecutionKind.Auto, [3])];

        Assert.Equal([5, 5, 3], Enumerable.Range(0, 3).Select(i => InstancePlacement.DeviceId(groups, i, defaultDeviceId: 5)));
    }

    [Fact]
    public void DeviceId_IndexBeyondTheGroups_UsesTheServerDefault()
    {
        InstanceGroup[] groups = [new(1, ExecutionKind.Gpu, [2])];

        Assert.Equal(5, InstancePlacement.DeviceId(groups, 1, defaultDeviceId: 5));
    }
}
