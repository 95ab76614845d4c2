using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Ensembles;

/// <summary>What a step model offers, as the loader found it when the ensemble loaded; null signature: not servable.</summary>
/// <param name="Problem">Why the step cannot serve ("is not loaded", "has no ready version 3"), when it cannot.</param>
public readonly record struct StepModel(ModelSignature? Signature, string? Problem);

/// <summary>
/// An ensemble's pipeline checked and compiled at load: each step's inputs and outputs as tensor slots, the steps
/// it waits for, and how many steps read its outputs. Building it applies Triton's load-time checks and reports
/// every problem at once: a step model that is not loaded, a map naming a tensor the step model lacks, a step input
/// left unmapped, a tensor that nothing produces or that two steps produce, a cycle, an ensemble output never
/// produced, a datatype that differs between producer and consumer, a batch size the steps cannot take.
/// </summary>
public sealed class EnsemblePlan
{
    private readonly IReadOnlyDictionary<string, int> _producers;

    private EnsemblePlan(string name, ModelSignature signature, IReadOnlyList<PlannedStep> steps, int tensorCount,
        IReadOnlyList<int> inputSlots, IReadOnlyDictionary<string, int> outputSlots, IReadOnlyDictionary<string, int> producers, IReadOnlyList<int> order)
    {
        Name = name;
        Steps = steps;
        TensorCount = tensorCount;
        InputNames = [.. signature.Inputs.Select(t => t.Name)];
        OutputNames = signature.OutputNames;
        InputSlots = inputSlots;
        OutputSlots = outputSlots;
        _producers = producers;
        Order = order;
    }

    /// <summary>The ensemble's inputs, in signature order (as <see cref="InputSlots"/>).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The ensemble's outputs, in signature order: what a request that names none gets.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The step that produces an ensemble output.</summary>
    public int Producer(string output) => _producers[output];

    /// <summary>
    /// The steps a request for <paramref name="outputs"/> must run: their producers and, transitively, the producers
    /// of what those read. A step whose outputs lead to none of them is skipped.
    /// </summary>
    public bool[] StepsFor(IReadOnlyList<string> outputs)
    {
        var needed = new bool[Steps.Count];
        var pending = new Stack<int>();
        foreach (var output in outputs)
        {
            pending.Push(Producer(output));
        }

        while (pending.TryPop(out var step))
        {
            if (!needed[step])
            {
                needed[step] = true;
                foreach (var producer in Steps[step].WaitsFor)
                {
                    pending.Push(producer);
                }
            }
        }

        return needed;
    }

    public string Name { get; }

    public IReadOnlyList<PlannedStep> Steps { get; }

    /// <summary>Slots of the ensemble's tensors: its inputs first (in signature order), then what steps produce.</summary>
    public int TensorCount { get; }

    /// <summary>The slot of each ensemble input, in the signature's input order.</summary>
    public IReadOnlyList<int> InputSlots { get; }

    /// <summary>The slot of each ensemble output, by name.</summary>
    public IReadOnlyDictionary<string, int> OutputSlots { get; }

    /// <summary>The steps in an order where every producer comes before its consumers.</summary>
    public IReadOnlyList<int> Order { get; }

    /// <summary>The ensemble's signature, from its config alone (Triton requires it to list inputs and outputs).</summary>
    public static ModelSignature Signature(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ModelSignature(config.MaxBatchSize ?? 0, config.Inputs ?? [], config.Outputs ?? []);
    }

    /// <exception cref="ModelConfigException">Any check fails; the message lists every problem.</exception>
    public static EnsemblePlan Build(string name, ModelSignature signature, EnsembleScheduling scheduling, Func<EnsembleStep, StepModel> resolve)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(scheduling);
        ArgumentNullException.ThrowIfNull(resolve);
        var errors = new List<string>();
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var producer = new List<int>();              // slot → producing step, -1 for an ensemble input
        var types = new List<DataType?>();           // slot → datatype where known
        foreach (var input in signature.Inputs)
        {
            slots[input.Name] = producer.Count;
            producer.Add(-1);
            types.Add(input.DataType);
        }

        var models = scheduling.Steps.Select(resolve).ToArray();

        // Outputs first, so that every tensor's producer is known before the consumers are checked.
        var outputs = new List<(string StepOutput, int Slot)>[scheduling.Steps.Count];
        for (var i = 0; i < scheduling.Steps.Count; i++)
        {
            var step = scheduling.Steps[i];
            var where = EnsembleStep.Describe(i, step.ModelName);
            var model = models[i];
            if (model.Signature is null)
            {
                errors.Add($"{where}: the model {model.Problem ?? "cannot serve"}");
            }
            else if (signature.Batches && (!model.Signature.Batches || model.Signature.MaxBatchSize < signature.MaxBatchSize))
            {
                errors.Add($"{where}: the ensemble's max_batch_size is {signature.MaxBatchSize}, but the model's is {model.Signature.MaxBatchSize}; each step must take the ensemble's whole batch");
            }

            outputs[i] = [];
            foreach (var (stepOutput, tensor) in step.OutputMap)
            {
                DataType? type = null;
                if (model.Signature is { } sig)
                {
                    if (sig.TryGetOutput(stepOutput, out var spec))
                    {
                        type = spec.DataType;
                    }
                    else
                    {
                        errors.Add($"{where}: output_map names output '{stepOutput}', which the model lacks; its outputs are [{string.Join(", ", sig.OutputNames)}]");
                    }
                }

                if (slots.TryGetValue(tensor, out var existing))
                {
                    errors.Add(producer[existing] < 0
                        ? $"{where}: output_map writes '{tensor}', which is an ensemble input; a tensor is produced once"
                        : $"{where}: output_map writes '{tensor}', which {EnsembleStep.Describe(producer[existing], scheduling.Steps[producer[existing]].ModelName)} produces too; a tensor is produced once");
                    continue;
                }

                slots[tensor] = producer.Count;
                producer.Add(i);
                types.Add(type);
                outputs[i].Add((stepOutput, slots[tensor]));
            }
        }

        var steps = new PlannedStep[scheduling.Steps.Count];
        for (var i = 0; i < scheduling.Steps.Count; i++)
        {
            var step = scheduling.Steps[i];
            var where = EnsembleStep.Describe(i, step.ModelName);
            var sig = models[i].Signature;
            var inputs = new List<(string StepInput, int Slot)>();
            var waitsFor = new SortedSet<int>();
            foreach (var (stepInput, tensor) in step.InputMap)
            {
                TensorSpec? spec = null;
                if (sig is not null && !sig.TryGetInput(stepInput, out spec))
                {
                    errors.Add($"{where}: input_map names input '{stepInput}', which the model lacks; its inputs are [{string.Join(", ", sig.Inputs.Select(t => t.Name))}]");
                }

                if (!slots.TryGetValue(tensor, out var slot))
                {
                    errors.Add($"{where}: input '{stepInput}' reads ensemble tensor '{tensor}', which nothing produces (neither an ensemble input nor any step's output_map)");
                    continue;
                }

                if (spec is not null && types[slot] is { } known && known != spec.DataType)
                {
                    errors.Add($"{where}: input '{stepInput}' is {spec.DataType.ToWireName()}, but ensemble tensor '{tensor}' is {known.ToWireName()} ({Origin(producer[slot], scheduling)})");
                }

                inputs.Add((stepInput, slot));
                if (producer[slot] >= 0)
                {
                    waitsFor.Add(producer[slot]);
                }
            }

            if (sig is not null)
            {
                foreach (var missing in sig.Inputs.Where(t => !step.InputMap.ContainsKey(t.Name)))
                {
                    errors.Add($"{where}: the model's input '{missing.Name}' is not in input_map; every input of a step model must be fed");
                }
            }

            steps[i] = new PlannedStep(i, step, inputs, outputs[i], [.. waitsFor]);
        }

        var outputSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var output in signature.Outputs)
        {
            if (!slots.TryGetValue(output.Name, out var slot) || producer[slot] < 0)
            {
                errors.Add($"ensemble output '{output.Name}' is never produced: no step's output_map writes it");
                continue;
            }

            if (types[slot] is { } known && known != output.DataType)
            {
                errors.Add($"ensemble output '{output.Name}' is declared {output.DataType.ToWireName()}, but {EnsembleStep.Describe(producer[slot], scheduling.Steps[producer[slot]].ModelName)} produces {known.ToWireName()}");
            }

            outputSlots[output.Name] = slot;
        }

        var order = TopologicalOrder(steps, scheduling, errors);
        if (errors.Count > 0)
        {
            throw new ModelConfigException($"ensemble '{name}': " + string.Join("; ", errors));
        }

        for (var i = 0; i < steps.Length; i++)
        {
            steps[i] = steps[i] with { ConsumedBy = [.. steps.Where(s => s.WaitsFor.Contains(i)).Select(s => s.Index)] };
        }

        var producers = outputSlots.ToDictionary(o => o.Key, o => producer[o.Value], StringComparer.Ordinal);
        return new EnsemblePlan(name, signature, steps, producer.Count, [.. signature.Inputs.Select(t => slots[t.Name])], outputSlots, producers, order);
    }

    private static string Origin(int step, EnsembleScheduling scheduling) =>
        step < 0 ? "an ensemble input" : "produced by " + EnsembleStep.Describe(step, scheduling.Steps[step].ModelName);

    /// <summary>Kahn's algorithm; the steps left over lie on a cycle.</summary>
    private static List<int> TopologicalOrder(PlannedStep[] steps, EnsembleScheduling scheduling, List<string> errors)
    {
        var waiting = steps.Select(s => s.WaitsFor.Count).ToArray();
        var ready = new Queue<int>(Enumerable.Range(0, steps.Length).Where(i => waiting[i] == 0));
        var order = new List<int>(steps.Length);
        while (ready.TryDequeue(out var done))
        {
            order.Add(done);
            foreach (var next in steps.Where(s => s.WaitsFor.Contains(done)))
            {
                if (--waiting[next.Index] == 0)
                {
                    ready.Enqueue(next.Index);
                }
            }
        }

        if (order.Count < steps.Length)
        {
            var cycle = Enumerable.Range(0, steps.Length).Where(i => waiting[i] > 0).Select(i => EnsembleStep.Describe(i, scheduling.Steps[i].ModelName));
            errors.Add($"the steps form a cycle (each waits for another's output): {string.Join(", ", cycle)}");
        }

        return order;
    }
}

/// <summary>One step compiled: which slots it reads and writes, which steps it waits for, how many steps read it.</summary>
/// <param name="Inputs">Step model input name → the slot it reads.</param>
/// <param name="Outputs">Step model output name → the slot it writes.</param>
/// <param name="WaitsFor">The steps producing its inputs (ensemble inputs need no wait).</param>
/// <param name="ConsumedBy">The steps that read any of its outputs.</param>
public sealed record PlannedStep(
    int Index,
    EnsembleStep Step,
    IReadOnlyList<(string StepInput, int Slot)> Inputs,
    IReadOnlyList<(string StepOutput, int Slot)> Outputs,
    IReadOnlyList<int> WaitsFor,
    IReadOnlyList<int>? ConsumedBy = null)
{
    /// <summary>How many steps read any of its outputs.</summary>
    public int Consumers => ConsumedBy?.Count ?? 0;

    /// <summary>The step model's outputs to ask for, in map order.</summary>
    public IReadOnlyList<string> RequestedOutputs { get; } = Outputs.Select(o => o.StepOutput).ToArray();
}
