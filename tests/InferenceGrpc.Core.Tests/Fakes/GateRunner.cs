using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>
/// A runner whose every call waits at its own gate until the test releases it (or until <see cref="OpenAll"/>),
/// so a test decides when an instance is busy. It copies each call's inputs (the scheduler returns its pooled
/// buffers after the run) and computes outputs from them, so splitting can be checked value by value:
/// OUTPUT0 = INPUT0 * 2, OUTPUT1 = INPUT0 + 1 (FP32), ECHO = each TEXT element wrapped in brackets (BYTES).
/// </summary>
internal sealed class GateRunner : IModelRunner
{
    /// <summary>Only a guard against a test that hangs; never a measure of time.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly Channel<GateCall> _started;
    private readonly ConcurrentQueue<GateCall> _calls = new();
    private readonly ConcurrentQueue<FakeOwner> _owners = new();
    private readonly TimeProvider? _time;
    private volatile bool _open;
    private int _running;
    private int _disposeCount;

    /// <param name="started">Where started calls are announced; several runners may share one.</param>
    public GateRunner(bool open = false, TimeProvider? time = null, Channel<GateCall>? started = null)
    {
        _started = started ?? Channel.CreateUnbounded<GateCall>();
        _open = open;
        _time = time;
    }

    public ModelGraph Graph { get; } = new([], []);

    public string Device => "GATE";

    /// <summary>Every call started so far, in order.</summary>
    public IReadOnlyList<GateCall> Calls => _calls.ToArray();

    /// <summary>The owner of each successful run's outputs, in order.</summary>
    public IReadOnlyList<FakeOwner> Owners => _owners.ToArray();

    public int DisposeCount => Volatile.Read(ref _disposeCount);

    /// <summary>True when <see cref="Dispose"/> came while a call was still running.</summary>
    public bool DisposedWhileRunning { get; private set; }

    /// <summary>Thrown (when it returns one) after the gate opens, instead of computing outputs.</summary>
    public Func<GateCall, Exception?>? Fault { get; set; }

    /// <summary>Replaces the computed outputs of a call when set.</summary>
    public Func<GateCall, IReadOnlyList<OutputTensor>, IReadOnlyList<OutputTensor>>? Tamper { get; set; }

    /// <summary>The next call to start (in order, on any runner sharing the channel), once it has started.</summary>
    public Task<GateCall> NextCallAsync() => NextCallAsync(_started);

    public static async Task<GateCall> NextCallAsync(Channel<GateCall> started) =>
        await started.Reader.ReadAsync().AsTask().WaitAsync(HangGuard);

    /// <summary>Releases every call, now and later.</summary>
    public void OpenAll()
    {
        _open = true;
        foreach (var call in _calls)
        {
            call.Release();
        }
    }

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var call = new GateCall(
            inputs.Select(i => i with { Shape = (long[])i.Shape.Clone(), Data = i.Data.ToArray() }).ToArray(),
            outputNames.ToArray(),
            _time?.GetUtcNow());
        Interlocked.Increment(ref _running);
        try
        {
            _calls.Enqueue(call);
            _started.Writer.TryWrite(call);
            if (!_open)
            {
                call.WaitForRelease();
            }

            if (Fault?.Invoke(call) is { } fault)
            {
                throw fault;
            }

            IReadOnlyList<OutputTensor> outputs = outputNames.Select(name => Compute(call, name)).ToArray();
            if (Tamper is { } tamper)
            {
                outputs = tamper(call, outputs);
            }

            var owner = new FakeOwner();
            _owners.Enqueue(owner);
            return new RunResult(outputs, owner);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public void Dispose()
    {
        DisposedWhileRunning |= Volatile.Read(ref _running) > 0;
        Interlocked.Increment(ref _disposeCount);
    }

    private static OutputTensor Compute(GateCall call, string name)
    {
        switch (name)
        {
            case "OUTPUT0":
            case "OUTPUT1":
                var input = call.Input("INPUT0");
                var values = call.Floats("INPUT0").Select(v => name == "OUTPUT0" ? v * 2 : v + 1).ToArray();
                return new OutputTensor(name, DataType.Fp32, (long[])input.Shape.Clone(), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            case "ECHO":
                var text = call.Input("TEXT");
                var echoed = call.Strings("TEXT").Select(s => Encoding.UTF8.GetBytes("[" + s + "]"));
                return new OutputTensor(name, DataType.Bytes, (long[])text.Shape.Clone(), BytesTensor.Encode(echoed));
            default:
                throw new InvalidOperationException($"GateRunner computes no output '{name}'");
        }
    }
}

/// <summary>One call of a <see cref="GateRunner"/>: what it was given, when (fake time), and its gate.</summary>
internal sealed class GateCall(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames, DateTimeOffset? at)
{
    private readonly ManualResetEventSlim _gate = new();

    public IReadOnlyList<InputTensor> Inputs { get; } = inputs;

    public IReadOnlyList<string> OutputNames { get; } = outputNames;

    /// <summary>The injected clock when the call started; null without one.</summary>
    public DateTimeOffset? At { get; } = at;

    /// <summary>Batch rows: the first dimension of the first input.</summary>
    public long Rows => Inputs[0].Shape[0];

    public void Release() => _gate.Set();

    public InputTensor Input(string name) => Inputs.Single(i => i.Name == name);

    /// <summary>An FP32 input's values; throws when its data does not match its shape.</summary>
    public float[] Floats(string name)
    {
        var input = Input(name);
        TensorShape.TryGetVolume(input.Shape, out var volume);
        if (input.Data.Length != volume * sizeof(float))
        {
            throw new InvalidOperationException(
                $"input '{name}' has shape {TensorShape.Format(input.Shape)} but {input.Data.Length} bytes");
        }

        return MemoryMarshal.Cast<byte, float>(input.Data.Span).ToArray();
    }

    public string[] Strings(string name) => TensorValues.Strings(Input(name).Data);

    internal void WaitForRelease()
    {
        if (!_gate.Wait(GateRunner.HangGuard))
        {
            throw new TimeoutException("the test never released this call's gate");
        }
    }
}
