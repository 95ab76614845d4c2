using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Processors.Tests.Batching;

/// <summary>
/// A processor whose first run waits for <see cref="Open"/>, so requests pile up behind it and the scheduler's next
/// batch takes them together.
/// </summary>
internal sealed class GatedRunner(IModelRunner inner) : IModelRunner
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _gate = new();
    private int _runs;

    public ModelGraph Graph => inner.Graph;

    public string Device => inner.Device;

    /// <summary>Completes once the first run is inside the runner (the only instance is then busy).</summary>
    public Task Entered => _entered.Task;

    public void Open() => _gate.Set();

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        if (Interlocked.Increment(ref _runs) == 1)
        {
            _entered.TrySetResult();
            _gate.Wait(TimeSpan.FromMinutes(1));
        }

        return inner.Run(inputs, outputNames);
    }

    public void Dispose()
    {
        _gate.Set();
        _gate.Dispose();
        inner.Dispose();
    }
}
