using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// Completes a model's configuration from its graph (Triton's auto-complete) and checks that what the
/// configuration says agrees with the file. Every disagreement is collected, so one load reports them all.
/// </summary>
public static class SignatureResolver
{
    public static ModelSignature Resolve(ModelConfig config, ModelGraph graph, int defaultMaxBatchSize)
    {
        var errors = new List<string>();
        var maxBatch = config.MaxBatchSize ?? (CanBatch(graph) ? defaultMaxBatchSize : 0);
        if (maxBatch > 0)
        {
            foreach (var tensor in graph.Inputs.Concat(graph.Outputs))
            {
                if (tensor.Dims.Count == 0 || tensor.Dims[0] != TensorShape.Dynamic)
                {
                    errors.Add($"max_batch_size {maxBatch} needs a dynamic first dimension, but '{tensor.Name}' has shape " +
                               $"{TensorShape.Format([.. tensor.Dims])} in the model file; set max_batch_size to 0");
                }
            }
        }

        var batched = maxBatch > 0;
        var inputs = Merge("input", config.Inputs, graph.Inputs, batched, requireAll: true, errors);
        var outputs = Merge("output", config.Outputs, graph.Outputs, batched, requireAll: false, errors);
        if (errors.Count > 0)
        {
            throw new ModelConfigException($"model '{config.Name}': " + string.Join("; ", errors));
        }

        return new ModelSignature(maxBatch, inputs, outputs);
    }

    private static bool CanBatch(ModelGraph graph) =>
        graph.Inputs.Count > 0 &&
        graph.Inputs.Concat(graph.Outputs).All(t => t.Dims.Count > 0 && t.Dims[0] == TensorShape.Dynamic);

    private static List<TensorSpec> Merge(
        string kind,
        IReadOnlyList<TensorSpec>? configured,
        IReadOnlyList<TensorSpec> fromGraph,
        bool batched,
        bool requireAll,
        List<string> errors)
    {
        var byName = fromGraph.ToDictionary(t => t.Name, StringComparer.Ordinal);
        if (configured is null)
        {
            return fromGraph.Select(t => t with { Dims = batched && t.Dims.Count > 0 ? t.Dims.Skip(1).ToArray() : t.Dims }).ToList();
        }

        var result = new List<TensorSpec>(configured.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in configured)
        {
            if (!seen.Add(spec.Name))
            {
                errors.Add($"{kind} '{spec.Name}' is configured twice");
                continue;
            }

            if (!byName.TryGetValue(spec.Name, out var actual))
            {
                errors.Add($"configured {kind} '{spec.Name}' is not in the model file, which has [{string.Join(", ", fromGraph.Select(t => t.Name))}]");
                continue;
            }

            if (spec.DataType != actual.DataType)
            {
                errors.Add($"{kind} '{spec.Name}' is configured as {spec.DataType.ToConfigName()} but the model file has {actual.DataType.ToConfigName()}");
                continue;
            }

            var graphDims = batched ? actual.Dims.Skip(1).ToArray() : actual.Dims.ToArray();
            if (spec.Dims.Count != graphDims.Length)
            {
                errors.Add($"{kind} '{spec.Name}' is configured with dims {TensorShape.Format([.. spec.Dims])} but the model file has " +
                           $"{TensorShape.Format(graphDims)}{(batched ? " after the batch dimension" : "")}");
                continue;
            }

            var dims = new long[graphDims.Length];
            var ok = true;
            for (var i = 0; i < dims.Length; i++)
            {
                var want = spec.Dims[i];
                var have = graphDims[i];
                if (have != TensorShape.Dynamic && want != TensorShape.Dynamic && want != have)
                {
                    errors.Add($"{kind} '{spec.Name}' dimension {i} is configured as {want} but the model file fixes it at {have}");
                    ok = false;
                    break;
                }

                // The narrower of the two wins: a fixed size in either place is the size.
                dims[i] = want == TensorShape.Dynamic ? have : want;
            }

            if (ok)
            {
                result.Add(new TensorSpec(spec.Name, spec.DataType, dims));
            }
        }

        if (requireAll)
        {
            foreach (var missing in fromGraph.Where(t => !seen.Contains(t.Name)))
            {
                errors.Add($"the model file's {kind} '{missing.Name}' is not in the configuration, which must list every {kind}");
            }
        }

        return result;
    }
}
