namespace InferenceGrpc.Cli.Batch;

/// <summary>Everything a batch job is told on the command line.</summary>
/// <param name="Inputs">One path (.csv, .jsonl, .npy) or one NAME=path per input (.npy).</param>
/// <param name="OutputNames">Outputs to write; empty: every output of the model.</param>
/// <param name="ErrorsPath">Null: <c>&lt;output&gt;.errors.jsonl</c>.</param>
internal sealed record BatchSettings(
    string Model,
    string Version,
    IReadOnlyList<string> Inputs,
    string? InputName,
    string OutputPath,
    string? ErrorsPath,
    IReadOnlyList<string> OutputNames,
    int RowsPerRequest,
    DispatchOptions Dispatch,
    bool Resume,
    bool Quiet)
{
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the checkpoint is saved while rows are written; always on the way out too.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string Errors => ErrorsPath ?? OutputPath + ".errors.jsonl";

    /// <summary>Names what the output is the output of, so a checkpoint cannot be resumed against another job.</summary>
    public string JobKey(IReadOnlyList<string> outputs) =>
        string.Join("|", string.Join(",", Inputs), InputName ?? "", Model, Version, string.Join(",", outputs));
}
