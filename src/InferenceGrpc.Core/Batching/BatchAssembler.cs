using System.Buffers;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Batching;

/// <summary>
/// Joins the inputs of a batch's requests along the batch dimension (one copy each, into pooled buffers) and
/// splits the outputs back per request without copying (each request's result is a slice of the batch output).
/// </summary>
internal static class BatchAssembler
{
    /// <summary>When a batch started and how long it ran, to time each of its requests.</summary>
    public readonly record struct BatchClock(TimeProvider Time, long StartedAt, TimeSpan ComputeTime, int Rows)
    {
        public InferenceTiming For(PendingInference pending) =>
            new(Time.GetElapsedTime(pending.EnqueuedAt, StartedAt), ComputeTime, Rows);
    }

    /// <summary>Concatenated inputs in the head request's input order; <paramref name="rented"/> gets the buffers to return.</summary>
    public static InputTensor[] Concatenate(List<PendingInference> batch, int rows, List<byte[]> rented)
    {
        var head = batch[0].Request.Inputs;
        var joined = new InputTensor[head.Count];
        for (var i = 0; i < head.Count; i++)
        {
            var name = head[i].Name;
            var total = 0;
            foreach (var pending in batch)
            {
                total = checked(total + pending.Request.Inputs[TensorLookup.IndexOf(pending.Request.Inputs, name)].Data.Length);
            }

            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, total));
            rented.Add(buffer);
            var offset = 0;
            foreach (var pending in batch)
            {
                var data = pending.Request.Inputs[TensorLookup.IndexOf(pending.Request.Inputs, name)].Data.Span;
                data.CopyTo(buffer.AsSpan(offset));
                offset += data.Length;
            }

            var shape = (long[])head[i].Shape.Clone();
            shape[0] = rows;
            joined[i] = new InputTensor(name, head[i].DataType, shape, buffer.AsMemory(0, total));
        }

        return joined;
    }

    /// <summary>The outputs the batch must compute: every output any request asked for, in signature order.</summary>
    public static IReadOnlyList<string> OutputNames(List<PendingInference> batch, ModelSignature signature)
    {
        foreach (var pending in batch)
        {
            if (pending.Request.RequestedOutputs.Count == 0)
            {
                return signature.OutputNames;
            }
        }

        if (batch.Count == 1)
        {
            return batch[0].Request.RequestedOutputs;
        }

        return signature.OutputNames.Where(name => batch.Any(p => p.Request.RequestedOutputs.Contains(name))).ToArray();
    }

    /// <summary>
    /// Hands each request its rows of the batch outputs, in the order it asked for them. The run's memory is
    /// shared by the results and freed when the last is disposed.
    /// </summary>
    public static void Complete(List<PendingInference> batch, RunResult run, int rows, string model, long version, ModelSignature signature, BatchClock clock)
    {
        var outputs = run.Outputs;
        var owner = new SharedOwner(run.Owner, batch.Count);
        if (batch.Count == 1)
        {
            batch[0].TryComplete(new InferenceResult(model, version, Select(batch[0].Request, outputs, signature), owner) { Timing = clock.For(batch[0]) });
            return;
        }

        // Row boundaries of each output, in bytes: offsets[o][r] is where row r of output o starts.
        var offsets = new int[outputs.Count][];
        for (var o = 0; o < outputs.Count; o++)
        {
            offsets[o] = RowOffsets(outputs[o], rows, model);
        }

        // Every request's slices first, then the completions: a failure (a missing output) must come before any
        // request holds memory that the caller of this method frees when it throws.
        var results = new OutputTensor[batch.Count][];
        var row = 0;
        for (var p = 0; p < batch.Count; p++)
        {
            var pending = batch[p];
            var wanted = pending.Request.RequestedOutputs.Count == 0 ? signature.OutputNames : pending.Request.RequestedOutputs;
            var mine = new OutputTensor[wanted.Count];
            for (var w = 0; w < wanted.Count; w++)
            {
                var o = IndexOf(outputs, wanted[w]);
                var output = outputs[o];
                var start = offsets[o][row];
                var end = offsets[o][row + pending.BatchSize];
                var shape = (long[])output.Shape.Clone();
                shape[0] = pending.BatchSize;
                mine[w] = new OutputTensor(output.Name, output.DataType, shape, output.Data.Slice(start, end - start));
            }

            results[p] = mine;
            row += pending.BatchSize;
        }

        for (var p = 0; p < batch.Count; p++)
        {
            batch[p].TryComplete(new InferenceResult(model, version, results[p], owner) { Timing = clock.For(batch[p]) });
        }
    }

    private static IReadOnlyList<OutputTensor> Select(InferenceRequest request, IReadOnlyList<OutputTensor> outputs, ModelSignature signature)
    {
        var wanted = request.RequestedOutputs.Count == 0 ? signature.OutputNames : request.RequestedOutputs;
        if (wanted.Count == outputs.Count)
        {
            return outputs;   // the run computed exactly what this request asked for, in its order
        }

        var mine = new OutputTensor[wanted.Count];
        for (var w = 0; w < wanted.Count; w++)
        {
            mine[w] = outputs[IndexOf(outputs, wanted[w])];
        }

        return mine;
    }

    private static int[] RowOffsets(OutputTensor output, int rows, string model)
    {
        if (output.Shape.Length == 0 || output.Shape[0] != rows)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{model}' returned output '{output.Name}' with shape {TensorShape.Format(output.Shape)}, not {rows} batch rows");
        }

        var offsets = new int[rows + 1];
        var data = output.Data.Span;
        if (output.DataType != DataType.Bytes)
        {
            var rowBytes = data.Length / rows;
            for (var r = 0; r <= rows; r++)
            {
                offsets[r] = r * rowBytes;
            }

            return offsets;
        }

        TensorShape.TryGetVolume(output.Shape.AsSpan(1), out var perRow);
        var element = 0L;
        var position = 0;
        var rowIndex = 1;
        foreach (var item in BytesTensor.Enumerate(data))
        {
            position += sizeof(uint) + item.Length;
            element++;
            while (rowIndex <= rows && element == rowIndex * perRow)
            {
                offsets[rowIndex++] = position;
            }
        }

        while (rowIndex <= rows)
        {
            offsets[rowIndex++] = position;   // rows of zero elements
        }

        return offsets;
    }

    private static int IndexOf(IReadOnlyList<OutputTensor> outputs, string name) =>
        TensorLookup.IndexOf(outputs, name) is var i and >= 0
            ? i
            : throw new InferenceException(InferenceErrorKind.Internal, $"the backend did not return output '{name}'");
}
