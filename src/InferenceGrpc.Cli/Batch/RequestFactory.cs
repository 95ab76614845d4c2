using Inference;
using Google.Protobuf;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// Turns rows into requests: consecutive rows whose tensors agree in names, datatypes and shapes share one request
/// (up to <c>--rows-per-request</c>, stacked on the batch dimension); a row that differs starts the next.
/// </summary>
internal sealed class RequestFactory(string model, string version, IReadOnlyList<string> outputs, ModelLayout layout, int rowsPerRequest)
{
    /// <summary>The job's requests in row order, numbered from 0; reads the file as they are taken.</summary>
    public IEnumerable<BatchWork> Assemble(IRowReader reader)
    {
        long sequence = 0;
        var group = new List<BatchRow>(rowsPerRequest);
        while (reader.Read() is { } row)
        {
            if (group.Count > 0 && (group.Count == rowsPerRequest || row.Error is not null || !SameLayout(group[0], row)))
            {
                yield return Create(sequence++, [.. group]);
                group.Clear();
            }

            if (row.Error is not null)
            {
                yield return Create(sequence++, [row]);
            }
            else
            {
                group.Add(row);
            }
        }

        if (group.Count > 0)
        {
            yield return Create(sequence, [.. group]);
        }
    }

    /// <summary>A work item for <paramref name="rows"/> (all of one layout); a failed row's item carries no request.</summary>
    public BatchWork Create(long sequence, BatchRow[] rows)
    {
        if (rows[0].Error is { } error)
        {
            var failed = new BatchWork(sequence, rows, null);
            failed.Failed(BatchStatus.InvalidRow, error);
            return failed;
        }

        return new BatchWork(sequence, rows, Build(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), rows));
    }

    /// <summary>One request for <paramref name="rows"/>; its id names the work item, since answers are matched by id.</summary>
    /// <remarks>
    /// Built here rather than with <see cref="InferRequestBuilder"/>, which copies every input it is given: a row's
    /// bytes are already in wire format and owned by the row, so one row is wrapped as it is and several are copied
    /// once, into the request's own buffer (a text_direction row is 110 KB: each copy is a large-object allocation).
    /// </remarks>
    public ModelInferRequest Build(string id, IReadOnlyList<BatchRow> rows)
    {
        var request = new ModelInferRequest { ModelName = model, ModelVersion = version, Id = id };
        var first = rows[0];
        for (var t = 0; t < first.Tensors.Count; t++)
        {
            var tensor = first.Tensors[t];
            byte[] data;
            if (rows.Count == 1)
            {
                data = tensor.Data;
            }
            else
            {
                data = new byte[rows.Sum(r => (long)r.Tensors[t].Data.Length)];
                var offset = 0;
                foreach (var row in rows)
                {
                    row.Tensors[t].Data.CopyTo(data, offset);
                    offset += row.Tensors[t].Data.Length;
                }
            }

            var input = new ModelInferRequest.Types.InferInputTensor { Name = tensor.Name, Datatype = tensor.Datatype };
            if (layout.Batches)
            {
                input.Shape.Add(rows.Count);
            }

            input.Shape.Add(tensor.Shape);
            request.Inputs.Add(input);
            request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(data));   // never written after reading
        }

        foreach (var output in outputs)
        {
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        }

        return request;
    }

    private static bool SameLayout(BatchRow a, BatchRow b)
    {
        if (a.Tensors.Count != b.Tensors.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Tensors.Count; i++)
        {
            var (x, y) = (a.Tensors[i], b.Tensors[i]);
            if (x.Name != y.Name || x.Datatype != y.Datatype || !x.Shape.AsSpan().SequenceEqual(y.Shape))
            {
                return false;
            }
        }

        return true;
    }
}
