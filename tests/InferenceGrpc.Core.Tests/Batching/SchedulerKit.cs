using System.Threading.Channels;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Core.Tests.Fakes;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Batching;

/// <summary>
/// A <see cref="ModelScheduler"/> over <see cref="GateRunner"/>s and an <see cref="ObservedTimeProvider"/>, with
/// builders for policies and requests. Disposing it opens every gate, then stops the scheduler.
/// </summary>
internal sealed class SchedulerKit : IDisposable
{
    public const string Model = "batcher";

    private readonly Channel<GateCall> _started = Channel.CreateUnbounded<GateCall>();

    public SchedulerKit(BatchingPolicy policy, ModelSignature? signature = null, int instances = 1, bool open = false)
    {
        Signature = signature ?? Fp32Signature();
        Runners = Enumerable.Range(0, instances).Select(_ => new GateRunner(open, Time, _started)).ToArray();
        Start = Time.GetUtcNow();
        Scheduler = new ModelScheduler(Model, 1, Signature, policy, Runners, Time, Log);
    }

    public static TimeSpan HangGuard => GateRunner.HangGuard;

    public ObservedTimeProvider Time { get; } = new();

    public RecordingLogger Log { get; } = new();

    public ModelSignature Signature { get; }

    public IReadOnlyList<GateRunner> Runners { get; }

    public GateRunner Runner => Runners[0];

    public ModelScheduler Scheduler { get; }

    /// <summary>The fake clock when the scheduler was created.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>FP32 INPUT0 of any row width; OUTPUT0 = INPUT0 * 2 and OUTPUT1 = INPUT0 + 1, same shape.</summary>
    public static ModelSignature Fp32Signature(int maxBatchSize = 8) => maxBatchSize > 0
        ? Signature(maxBatchSize, [Tensor("INPUT0", DataType.Fp32, -1)], [Tensor("OUTPUT0", DataType.Fp32, -1), Tensor("OUTPUT1", DataType.Fp32, -1)])
        : Signature(0, [Tensor("INPUT0", DataType.Fp32, -1, -1)], [Tensor("OUTPUT0", DataType.Fp32, -1, -1), Tensor("OUTPUT1", DataType.Fp32, -1, -1)]);

    /// <summary>BYTES TEXT of any row width; ECHO wraps each element in brackets.</summary>
    public static ModelSignature TextSignature(int maxBatchSize = 8) =>
        Signature(maxBatchSize, [Tensor("TEXT", DataType.Bytes, -1)], [Tensor("ECHO", DataType.Bytes, -1)]);

    public static BatchingPolicy Policy(
        int maxBatchSize = 8, TimeSpan? delay = null, int[]? preferred = null, int maxQueueSize = 64,
        int priorityLevels = 1, int defaultPriorityLevel = 1, TimeSpan? defaultTimeout = null) => new()
        {
            MaxBatchSize = maxBatchSize,
            Batching = true,
            PreferredBatchSizes = preferred ?? [],
            MaxQueueDelay = delay ?? TimeSpan.Zero,
            MaxQueueSize = maxQueueSize,
            PriorityLevels = priorityLevels,
            DefaultPriorityLevel = defaultPriorityLevel,
            DefaultTimeout = defaultTimeout ?? TimeSpan.Zero,
        };

    /// <summary>A request of <paramref name="rows"/> rows of <paramref name="width"/> values: first, first+1, ...</summary>
    public static InferenceRequest Fp32(
        int rows, float first, int width = 4, ulong priority = 0, TimeSpan? queueTimeout = null,
        DateTimeOffset? deadline = null, params string[] outputs) => new()
        {
            ModelName = Model,
            Inputs = [TensorValues.Fp32("INPUT0", rows, width, first)],
            RequestedOutputs = outputs,
            Priority = priority,
            QueueTimeout = queueTimeout,
            Deadline = deadline,
        };

    public static InferenceRequest Text(params string[][] rows) => new()
    {
        ModelName = Model,
        Inputs = [TensorValues.Text("TEXT", rows)],
    };

    /// <summary>The values of an <see cref="Fp32"/> request.</summary>
    public static float[] Values(int rows, float first, int width = 4) =>
        Enumerable.Range(0, rows * width).Select(i => first + i).ToArray();

    /// <summary>Asserts OUTPUT0 holds exactly the request's own rows, doubled.</summary>
    public static void AssertDoubled(InferenceResult result, int rows, float first, int width = 4)
    {
        var output = result.Outputs.Single(o => o.Name == "OUTPUT0");
        Assert.Equal([rows, width], output.Shape);
        Assert.Equal(Values(rows, first, width).Select(v => v * 2), TensorValues.Floats(output));
    }

    public static async Task<InferenceException> FailsAsync(Task<InferenceResult> result) =>
        await Assert.ThrowsAsync<InferenceException>(() => result.WaitAsync(HangGuard));

    public Task<InferenceResult> Enqueue(InferenceRequest request, CancellationToken cancellationToken = default) =>
        Scheduler.EnqueueAsync(request, Signature.Batches ? (int)request.Inputs[0].Shape[0] : 1, cancellationToken);

    /// <summary>The next call to start on any instance, once it has started.</summary>
    public Task<GateCall> NextCallAsync() => GateRunner.NextCallAsync(_started);

    /// <summary>Runs a one-row request and waits until it is inside the runner: the first instance is then busy.</summary>
    public async Task<(Task<InferenceResult> Result, GateCall Call)> OccupyAsync(float first = -1000)
    {
        var result = Enqueue(Fp32(rows: 1, first));
        var call = await NextCallAsync();
        return (result, call);
    }

    /// <summary>As <see cref="OccupyAsync"/>, for a <see cref="TextSignature"/> model.</summary>
    public async Task<(Task<InferenceResult> Result, GateCall Call)> OccupyTextAsync()
    {
        var result = Enqueue(Text(["busy"]));
        var call = await NextCallAsync();
        return (result, call);
    }

    public void Dispose()
    {
        foreach (var runner in Runners)
        {
            runner.OpenAll();
        }

        Scheduler.Dispose();
    }
}
