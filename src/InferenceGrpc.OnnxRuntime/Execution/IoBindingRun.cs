using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Execution;

/// <summary>
/// Runs one session through an <see cref="OrtIoBinding"/>: the inputs are bound where they lie (pinned host memory),
/// every output is bound to host memory. On CUDA, ORT copies each input to the device once at bind time and writes
/// each output back to the host once, in the run, rather than handing the caller device memory to copy again.
/// On the CPU nothing is copied; that path exists so the same code is tested without a GPU.
/// </summary>
/// <remarks>
/// Thread-safe: a binding holds one run's names and values, so each run takes the idle one or makes its own, and
/// gives it back cleared. One is kept, as the scheduler gives an instance one batch at a time; a concurrent caller
/// (which <see cref="Core.Execution.IModelRunner"/> allows) gets a binding of its own, disposed after its run.
/// </remarks>
internal sealed class IoBindingRun : IDisposable
{
    private readonly InferenceSession _session;
    private OrtIoBinding? _idle;

    public IoBindingRun(InferenceSession session)
    {
        _session = session;
    }

    /// <summary>Runs on <paramref name="inputs"/> and returns the outputs named, in that order; the caller owns them.</summary>
    /// <remarks>Precondition: <paramref name="inputs"/> stays alive until this returns.</remarks>
    /// <exception cref="OnnxRuntimeException">ORT refused a binding or the run failed.</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, RunInputs inputs, IReadOnlyList<string> outputNames)
    {
        var binding = Interlocked.Exchange(ref _idle, null) ?? _session.CreateIoBinding();
        try
        {
            // On CUDA, binding a host value copies it to the device there and then, synchronously (ORT's blocking
            // cudaMemcpy for pageable memory). No SynchronizeBoundInputs/Outputs: on CUDA they are
            // cudaDeviceSynchronize, which would wait for every other instance's kernels on the GPU too.
            for (var i = 0; i < inputs.Values.Length; i++)
            {
                binding.BindInput(inputs.Names[i], inputs.Values[i]);
            }

            for (var i = 0; i < outputNames.Count; i++)
            {
                // Shapes are known only after the run, so ORT allocates each output, in host memory; the run returns
                // once they are written.
                binding.BindOutputToDevice(outputNames[i], OrtMemoryInfo.DefaultInstance);
            }

            _session.RunWithBinding(runOptions, binding);

            // New OrtValues that share the outputs' buffers: they outlive the clearing below. Bound order = asked order.
            return binding.GetOutputValues();
        }
        finally
        {
            // Drop this run's values before the binding is reused or the inputs' pinned arrays go back to the pool.
            binding.ClearBoundInputs();
            binding.ClearBoundOutputs();
            if (Interlocked.CompareExchange(ref _idle, binding, null) is not null)
            {
                binding.Dispose();
            }
        }
    }

    /// <remarks>Precondition: no run is in flight (the session is about to be disposed too).</remarks>
    public void Dispose() => Interlocked.Exchange(ref _idle, null)?.Dispose();
}
