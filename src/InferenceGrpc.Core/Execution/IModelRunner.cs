using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Execution;

/// <summary>
/// A loaded model version that can run. Implementations must be safe to call from several threads at once.
/// </summary>
public interface IModelRunner : IDisposable
{
    /// <summary>What the model file declares: names, datatypes and full shapes.</summary>
    ModelGraph Graph { get; }

    /// <summary>A description of where it runs, for logs and metadata ("CPU", "CUDA:0").</summary>
    string Device { get; }

    /// <summary>
    /// Runs the model on inputs already validated against its signature and returns the named outputs in the
    /// order asked. The caller disposes the result once the outputs are written out.
    /// </summary>
    /// <exception cref="Inference.InferenceException">Kind Internal when the backend fails.</exception>
    RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames);

    /// <summary>
    /// Inputs to warm the runner up with at <paramref name="batchSize"/> rows; null (the default) takes the loader's
    /// zero-filled inputs. A runner that refuses zeros (an image decoder refuses empty files) gives real ones, so the
    /// warm-up exercises its actual path instead of logging a failure on every start.
    /// </summary>
    IReadOnlyList<InputTensor>? CreateWarmUpInputs(ModelSignature signature, int batchSize) => null;
}

/// <summary>The outputs of a run and whatever owns their memory.</summary>
public readonly record struct RunResult(IReadOnlyList<OutputTensor> Outputs, IDisposable? Owner);
