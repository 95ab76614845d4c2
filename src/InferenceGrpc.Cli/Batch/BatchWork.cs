using Inference;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>What became of one row: outputs (its slot in a response of several rows), or a failure.</summary>
/// <param name="Slot">The row's place among the <paramref name="Slots"/> rows of <paramref name="Result"/>.</param>
/// <param name="Status">A gRPC status name (INVALID_ARGUMENT, ...), or INVALID_ROW for a row the client could not read.</param>
internal readonly record struct RowOutcome(InferResult? Result, int Slot, int Slots, string? Status, string? Message)
{
    public static RowOutcome Failed(string status, string message) => new(null, 0, 0, status, message);
}

/// <summary>
/// One request of the job: consecutive rows of one shape, from sending until its rows are written. Holds its rows
/// so that a request refused as a whole can be split and each row's own answer found.
/// </summary>
internal sealed class BatchWork(long sequence, BatchRow[] rows, ModelInferRequest? request)
{
    /// <summary>Position in the job's request order (0, 1, ...): the reorder buffer writes by it.</summary>
    public long Sequence { get; } = sequence;

    public BatchRow[] Rows { get; } = rows;

    /// <summary>Null for a row the client could not read: it is reported without being sent.</summary>
    public ModelInferRequest? Request { get; } = request;

    public RowOutcome[] Outcomes { get; } = new RowOutcome[rows.Length];

    /// <summary>When last sent (Stopwatch ticks), for the per-request timeout.</summary>
    public long SentAt { get; set; }

    public void Succeeded(InferResult result)
    {
        for (var i = 0; i < Outcomes.Length; i++)
        {
            Outcomes[i] = new RowOutcome(result, i, Outcomes.Length, null, null);
        }
    }

    public void Failed(string status, string message) => Array.Fill(Outcomes, RowOutcome.Failed(status, message));
}
