using Grpc.Core;
using Inference;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>One model input or output as a batch job sees it: its dims for one row (without the batch dimension).</summary>
/// <param name="RowDims">Dims of one row; -1 where the model leaves a dimension free.</param>
internal sealed record TensorLayout(string Name, string Datatype, long[] RowDims)
{
    /// <summary>Elements of one row when every row dimension is fixed; null when one is free.</summary>
    public long? FixedVolume => RowDims.All(d => d >= 0) ? RowDims.Aggregate(1L, (a, d) => a * d) : null;
}

/// <summary>
/// What a batch job needs to know of the model: its inputs and outputs per row, and whether requests may carry
/// several rows (a batching model, <c>max_batch_size</c> &gt; 0).
/// </summary>
internal sealed record ModelLayout(IReadOnlyList<TensorLayout> Inputs, IReadOnlyList<TensorLayout> Outputs, int MaxBatchSize)
{
    public bool Batches => MaxBatchSize > 0;

    public TensorLayout? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>Reads the model's metadata, and its config for <c>max_batch_size</c>.</summary>
    public static async Task<ModelLayout> FetchAsync(InferenceClient client, string model, string version, CancellationToken ct)
    {
        var metadata = await client.ModelMetadataAsync(model, version, ct).ConfigureAwait(false);
        int maxBatch;
        try
        {
            var config = await client.RawClient.ModelConfigAsync(
                new ModelConfigRequest { Name = model, Version = version }, cancellationToken: ct).ConfigureAwait(false);
            maxBatch = config.Config.MaxBatchSize;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            // ModelConfig is a Triton extension: without it, a leading -1 on every input is the batch dimension.
            maxBatch = metadata.Inputs.Count > 0 && metadata.Inputs.All(i => i.Shape.Count > 0 && i.Shape[0] == -1) ? int.MaxValue : 0;
        }

        return new ModelLayout(
            metadata.Inputs.Select(t => Tensor(t, maxBatch > 0)).ToArray(),
            metadata.Outputs.Select(t => Tensor(t, maxBatch > 0)).ToArray(),
            maxBatch);

        static TensorLayout Tensor(ModelMetadataResponse.Types.TensorMetadata t, bool batches) =>
            new(t.Name, t.Datatype, (batches && t.Shape.Count > 0 ? t.Shape.Skip(1) : t.Shape).ToArray());
    }
}
