using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// One row of the input file: its tensors, each shaped for one row (no batch dimension), or why the row could
/// not be read. A row that cannot be read is reported, never sent, and the file goes on.
/// </summary>
/// <param name="Index">0-based row number: the order of rows in the file, and of the outputs.</param>
internal sealed record BatchRow(long Index, IReadOnlyList<InputTensor> Tensors, string? Error)
{
    public static BatchRow Failed(long index, string error) => new(index, [], error);
}

/// <summary>Reads an input file row by row: nothing but the current row is held in memory.</summary>
internal interface IRowReader : IDisposable
{
    /// <summary>Rows in the file, when known before reading it (for progress); null when not.</summary>
    long? TotalRows { get; }

    /// <summary>Moves past up to <paramref name="count"/> rows without decoding them (a resumed run); returns how many it passed.</summary>
    long Skip(long count);

    /// <summary>The next row; null at the end of the file.</summary>
    /// <exception cref="InputFileException">The file itself is broken (truncated, unreadable), not just one row.</exception>
    BatchRow? Read();
}
