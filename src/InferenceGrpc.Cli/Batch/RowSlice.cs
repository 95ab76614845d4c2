using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>One row's part of one output of a response: the response holds <c>Slots</c> rows stacked on the batch dimension.</summary>
internal readonly struct RowSlice
{
    private RowSlice(string datatype, long[] shape, ReadOnlyMemory<byte> raw, byte[][]? strings)
    {
        Datatype = datatype;
        Shape = shape;
        Raw = raw;
        Strings = strings;
    }

    public string Datatype { get; }

    /// <summary>The row's shape (the output's without its batch dimension when the response holds several rows).</summary>
    public long[] Shape { get; }

    /// <summary>Little-endian elements; empty for BYTES.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The elements of a BYTES output; null otherwise.</summary>
    public byte[][]? Strings { get; }

    /// <exception cref="InvalidOperationException">The output cannot be split into that many rows.</exception>
    /// <exception cref="KeyNotFoundException">The response lacks the output.</exception>
    public static RowSlice Of(RowOutcome outcome, string name, bool batches)
    {
        var result = outcome.Result!;
        var datatype = result.GetDatatype(name);
        var shape = result.GetShape(name);
        if (batches && (shape.Length == 0 || shape[0] != outcome.Slots))
        {
            throw new InvalidOperationException(
                $"output '{name}' has shape [{string.Join(", ", shape)}] for a request of {outcome.Slots} rows");
        }

        var rowShape = batches ? shape[1..] : shape;
        if (datatype == InferDatatype.Bytes)
        {
            var all = result.GetBytes(name);
            var per = all.Length / outcome.Slots;
            return new RowSlice(datatype, rowShape, default, all[(outcome.Slot * per)..((outcome.Slot + 1) * per)]);
        }

        var raw = result.GetRaw(name);
        var rowBytes = raw.Length / outcome.Slots;
        return new RowSlice(datatype, rowShape, raw.Slice(outcome.Slot * rowBytes, rowBytes), null);
    }
}
