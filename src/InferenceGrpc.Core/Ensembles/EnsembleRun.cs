using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Ensembles;

/// <summary>
/// One request through an ensemble. Each step is a task that awaits its producers' tasks, then runs; the tasks are
/// created in topological order, so every step starts the moment its last producer finishes and independent steps
/// run at once. Steps that lead to none of the requested outputs are not started. A step's result (backend memory) is shared by the tensors it produced: it is disposed once every
/// step reading it has finished and, unless it holds an output the caller asked for, right then; otherwise the
/// caller's result owns it. The first step to fail decides the answer, and the others are cancelled.
/// </summary>
/// <remarks>
/// Relies on the runner contract that an output never aliases an input (batched inputs are pooled buffers
/// returned right after the run), so a producer can be released as soon as its consumers have their results.
/// </remarks>
internal sealed class EnsembleRun : IDisposable
{
    private readonly EnsemblePlan _plan;
    private readonly InferenceRequest _request;
    private readonly EnsembleStepInvoker _invoke;
    private readonly CancellationTokenSource _cancel;
    private readonly InputTensor?[] _values;
    private readonly InferenceResult?[] _results;
    private readonly int[] _references;
    private readonly bool[] _holdsOutput;
    private readonly Task<InferenceResult>?[] _tasks;
    private bool[] _runs = [];
    private InferenceException? _failure;
    private long _queueTicks;

    public EnsembleRun(EnsemblePlan plan, InferenceRequest request, EnsembleStepInvoker invoke, CancellationToken cancellationToken)
    {
        _plan = plan;
        _request = request;
        _invoke = invoke;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _values = new InputTensor?[plan.TensorCount];
        _results = new InferenceResult?[plan.Steps.Count];
        _references = new int[plan.Steps.Count];
        _holdsOutput = new bool[plan.Steps.Count];
        _tasks = new Task<InferenceResult>?[plan.Steps.Count];
    }

    /// <summary>The failed step, as messages name it, once one has failed.</summary>
    public string? FailedStep { get; private set; }

    /// <summary>The time the steps' requests waited in their models' queues, summed.</summary>
    public TimeSpan QueueTime => TimeSpan.FromTicks(Interlocked.Read(ref _queueTicks));

    /// <summary>Runs every step; returns the requested outputs and what owns their memory (dispose it).</summary>
    public async Task<(IReadOnlyList<OutputTensor> Outputs, IDisposable Owner)> ExecuteAsync()
    {
        // The request was validated against the ensemble's signature: every input is present, in any order.
        var names = _plan.InputNames;
        for (var i = 0; i < names.Count; i++)
        {
            _values[_plan.InputSlots[i]] = TensorLookup.Find(_request.Inputs, names[i]);
        }

        var wanted = _request.RequestedOutputs.Count == 0 ? _plan.OutputNames : _request.RequestedOutputs;
        foreach (var name in wanted)
        {
            _holdsOutput[_plan.Producer(name)] = true;
        }

        // Only the steps that lead to a wanted output run; their producers are among them by construction.
        _runs = _plan.StepsFor(wanted);
        var started = new List<Task<InferenceResult>>(_tasks.Length);
        foreach (var index in _plan.Order)
        {
            if (_runs[index])
            {
                started.Add(_tasks[index] = StepAsync(_plan.Steps[index]));
            }
        }

        try
        {
            await Task.WhenAll(started).ConfigureAwait(false);
        }
        catch (Exception) when (_failure is not null)
        {
            ReleaseOutputHolds();
            throw _failure;
        }
        catch
        {
            ReleaseOutputHolds();
            throw;
        }

        var outputs = new OutputTensor[wanted.Count];
        for (var i = 0; i < wanted.Count; i++)
        {
            var value = _values[_plan.OutputSlots[wanted[i]]]!;
            outputs[i] = new OutputTensor(wanted[i], value.DataType, value.Shape, value.Data);
        }

        var owned = new List<InferenceResult>();
        for (var i = 0; i < _results.Length; i++)
        {
            if (_holdsOutput[i])
            {
                owned.Add(_results[i]!);
            }
        }

        return (outputs, new StepResults(owned));
    }

    public void Dispose() => _cancel.Dispose();

    private async Task<InferenceResult> StepAsync(PlannedStep planned)
    {
        try
        {
            if (planned.WaitsFor.Count > 0)
            {
                await Task.WhenAll(planned.WaitsFor.Select(p => _tasks[p]!)).ConfigureAwait(false);
            }

            var inputs = new InputTensor[planned.Inputs.Count];
            for (var i = 0; i < inputs.Length; i++)
            {
                var (name, slot) = planned.Inputs[i];
                var value = _values[slot]!;
                inputs[i] = value.Name == name ? value : value with { Name = name };
            }

            var step = planned.Step;
            var request = new InferenceRequest
            {
                ModelName = step.ModelName,
                ModelVersion = step.RequestVersion,
                Id = _request.Id,
                Inputs = inputs,
                RequestedOutputs = planned.RequestedOutputs,
                Priority = _request.Priority,
                QueueTimeout = _request.QueueTimeout,
                Deadline = _request.Deadline,
            };

            InferenceResult result;
            try
            {
                result = await _invoke(request, _cancel.Token).ConfigureAwait(false);
            }
            catch (InferenceException ex)
            {
                throw Fail(planned, ex);
            }

            Publish(planned, result);
            return result;
        }
        finally
        {
            // Whatever happened to this step, it no longer reads its producers.
            foreach (var p in planned.WaitsFor)
            {
                if (_tasks[p]!.IsCompletedSuccessfully)
                {
                    Release(p);
                }
            }
        }
    }

    private void Publish(PlannedStep planned, InferenceResult result)
    {
        foreach (var (stepOutput, slot) in planned.Outputs)
        {
            if (TensorLookup.Find(result.Outputs, stepOutput) is not { } output)
            {
                result.Dispose();
                throw Fail(planned, new InferenceException(InferenceErrorKind.Internal, $"the model returned no output '{stepOutput}'"));
            }

            _values[slot] = new InputTensor(output.Name, output.DataType, output.Shape, output.Data);
        }

        Interlocked.Add(ref _queueTicks, result.Timing.QueueTime.Ticks);
        _results[planned.Index] = result;
        var readers = 0;
        foreach (var consumer in planned.ConsumedBy ?? [])
        {
            readers += _runs[consumer] ? 1 : 0;
        }

        _references[planned.Index] = readers + (_holdsOutput[planned.Index] ? 1 : 0);
        if (_references[planned.Index] == 0)
        {
            result.Dispose();   // nothing reads it: a step whose outputs nobody asked for
        }
    }

    private InferenceException Fail(PlannedStep planned, InferenceException ex)
    {
        var step = EnsembleStep.Describe(planned.Index, planned.Step.ModelName);

        // A step model that is gone makes the ensemble unavailable, not missing: the ensemble itself exists.
        var kind = ex.Kind == InferenceErrorKind.NotFound ? InferenceErrorKind.Unavailable : ex.Kind;
        var failure = new InferenceException(kind, $"ensemble '{_plan.Name}' {step}: {ex.Message}", ex);
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            FailedStep = step;
            _cancel.Cancel();
        }

        return failure;
    }

    private void Release(int step)
    {
        if (Interlocked.Decrement(ref _references[step]) == 0)
        {
            _results[step]!.Dispose();
        }
    }

    private void ReleaseOutputHolds()
    {
        for (var i = 0; i < _tasks.Length; i++)
        {
            if (_holdsOutput[i] && _tasks[i] is { IsCompletedSuccessfully: true })
            {
                Release(i);
            }
        }
    }

    /// <summary>The step results that hold the caller's outputs, disposed together with the caller's result.</summary>
    private sealed class StepResults(List<InferenceResult> results) : IDisposable
    {
        public void Dispose()
        {
            foreach (var result in results)
            {
                result.Dispose();
            }
        }
    }
}
