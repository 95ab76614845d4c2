using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>
/// A runner that records every call and answers each requested output with a one-element tensor of the
/// graph's datatype. <see cref="OnRun"/> replaces the answer (or throws) when a test needs to.
/// </summary>
internal sealed class FakeModelRunner(ModelGraph graph, string device = "FAKE") : IModelRunner
{
    public ModelGraph Graph { get; } = graph;

    public string Device { get; } = device;

    public List<RunCall> Calls { get; } = [];

    public Func<IReadOnlyList<InputTensor>, IReadOnlyList<string>, RunResult>? OnRun { get; set; }

    public int DisposeCount { get; private set; }

    public List<FakeOwner> Owners { get; } = [];

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        Calls.Add(new RunCall(inputs.ToArray(), outputNames.ToArray()));
        if (OnRun is { } onRun)
        {
            return onRun(inputs, outputNames);
        }

        var outputs = outputNames
            .Select(name => Graph.Outputs.Single(o => o.Name == name))
            .Select(o => new OutputTensor(o.Name, o.DataType, [1], new byte[Math.Max(1, o.DataType.ElementSize())]))
            .ToArray();
        var owner = new FakeOwner();
        Owners.Add(owner);
        return new RunResult(outputs, owner);
    }

    public void Dispose() => DisposeCount++;
}

internal sealed record RunCall(IReadOnlyList<InputTensor> Inputs, IReadOnlyList<string> OutputNames);

internal sealed class FakeOwner : IDisposable
{
    public int DisposeCount { get; private set; }

    public void Dispose() => DisposeCount++;
}
