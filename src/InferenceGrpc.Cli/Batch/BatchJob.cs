using Grpc.Core;
using InferenceGrpc.Cli.Commands;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Batch;

/// <summary>
/// Offline batch prediction: reads the input file row by row, runs the rows through the server over
/// <c>ModelStreamInfer</c> (<see cref="StreamDispatcher"/>), and writes the outputs in row order as answers arrive,
/// saving a checkpoint as it goes so an interrupted job resumes where its output ends.
/// </summary>
internal sealed class BatchJob
{
    private readonly BatchSettings _settings;
    private readonly InferenceClient _client;
    private readonly TextWriter _error;
    private readonly Action<long>? _rowsWritten;

    /// <param name="rowsWritten">Called after each request's rows are written with the rows done so far (tests stop a run with it).</param>
    public BatchJob(BatchSettings settings, InferenceClient client, TextWriter error, Action<long>? rowsWritten = null)
    {
        _settings = settings;
        _client = client;
        _error = error;
        _rowsWritten = rowsWritten;
    }

    /// <returns>An exit code of <see cref="ExitCodes"/>.</returns>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var s = _settings;
        ModelLayout layout;
        try
        {
            layout = await ModelLayout.FetchAsync(_client, s.Model, s.Version, ct).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            return CommonOptions.ReportRpcError(ex, _error);
        }

        Prepared prepared;
        try
        {
            prepared = Prepare(layout);
        }
        catch (Exception ex) when (ex is InputFileException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        using (prepared.Reader)
        using (prepared.Output)
        using (prepared.Errors)
        {
            return await new Run(this, layout, prepared).ExecuteAsync(ct).ConfigureAwait(false);
        }
    }

    private sealed record Prepared(IRowReader Reader, OutputWriter Output, ErrorsWriter Errors, IReadOnlyList<TensorLayout> Outputs, Checkpoint Start, string Job);

    private Prepared Prepare(ModelLayout layout)
    {
        var s = _settings;
        if (s.RowsPerRequest > 1 && !layout.Batches)
        {
            throw new InputFileException($"--rows-per-request {s.RowsPerRequest} needs a model that batches; '{s.Model}' has max_batch_size 0");
        }

        if (s.RowsPerRequest > layout.MaxBatchSize && layout.Batches)
        {
            throw new InputFileException($"--rows-per-request {s.RowsPerRequest} is over '{s.Model}''s max_batch_size {layout.MaxBatchSize}");
        }

        var outputs = s.OutputNames.Count == 0
            ? layout.Outputs
            : s.OutputNames.Select(n => layout.Outputs.FirstOrDefault(o => o.Name == n)
                ?? throw new InputFileException($"--output-name '{n}' is not an output of '{s.Model}'; its outputs are [{string.Join(", ", layout.Outputs.Select(o => o.Name))}]")).ToList();
        var job = s.JobKey(outputs.Select(o => o.Name).ToList());

        var checkpointPath = Checkpoint.PathFor(s.OutputPath);
        var checkpoint = Checkpoint.Load(checkpointPath);
        if (checkpoint is not null && !s.Resume)
        {
            throw new InputFileException($"{checkpointPath} records an interrupted run: pass --resume to continue it, or delete it to start over");
        }

        if (checkpoint is not null && checkpoint.Job != job)
        {
            throw new InputFileException($"{checkpointPath} belongs to another job ({checkpoint.Job}), not this one ({job})");
        }

        var reader = RowFiles.Open(s.Inputs, layout, s.InputName);
        OutputWriter? output = null;
        try
        {
            output = OutputWriter.Create(s.OutputPath, outputs, layout.Batches, checkpoint?.OutputBytes);
            var errors = new ErrorsWriter(OutputFile.Open(s.Errors, checkpoint?.ErrorsBytes));
            if (checkpoint is null)
            {
                output.Begin(reader.TotalRows ?? 0);
                checkpoint = new Checkpoint(job, 0, 0, 0, 0, 0);
            }
            else if (reader.Skip(checkpoint.NextRow) != checkpoint.NextRow)
            {
                errors.Dispose();
                throw new InputFileException($"the input has fewer rows than the {checkpoint.NextRow} the checkpoint says are done; it changed since");
            }

            return new Prepared(reader, output, errors, outputs, checkpoint, job);
        }
        catch
        {
            output?.Dispose();
            reader.Dispose();
            throw;
        }
    }

    /// <summary>One execution: the three loops (read and send, stream, write in order) and the state they share.</summary>
    private sealed class Run(BatchJob job, ModelLayout layout, Prepared prepared)
    {
        private readonly BatchSettings _s = job._settings;
        private readonly ProgressReporter _progress = new(job._error, prepared.Reader.TotalRows, prepared.Start.NextRow, job._settings.ProgressInterval, job._settings.Quiet);
        private Checkpoint _state = prepared.Start;
        private long _lastSave = System.Diagnostics.Stopwatch.GetTimestamp();

        public async Task<int> ExecuteAsync(CancellationToken ct)
        {
            var factory = new RequestFactory(_s.Model, _s.Version, prepared.Outputs.Select(o => o.Name).ToList(), layout, _s.RowsPerRequest);
            var dispatcher = new StreamDispatcher(job._client, factory, _s.Dispatch);
            using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task[] loops =
            [
                Task.Run(() => ProduceAsync(factory, dispatcher, run.Token), CancellationToken.None),
                dispatcher.RunAsync(run.Token),
                WriteAsync(dispatcher, run.Token),
            ];

            // The first loop to fail stops the others; its failure is the one reported.
            Exception? failure = null;
            var pending = loops.ToList();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if (done.Exception is { } ex && failure is null)
                {
                    failure = ex.InnerException;
                    await run.CancelAsync().ConfigureAwait(false);
                }
                else if (done.IsCanceled)
                {
                    await run.CancelAsync().ConfigureAwait(false);
                }
            }

            return Finish(failure, ct.IsCancellationRequested);
        }

        private async Task ProduceAsync(RequestFactory factory, StreamDispatcher dispatcher, CancellationToken ct)
        {
            foreach (var work in factory.Assemble(prepared.Reader))
            {
                await dispatcher.SubmitAsync(work, ct).ConfigureAwait(false);
            }

            dispatcher.CompleteSubmissions();
        }

        /// <summary>The reorder buffer: holds answers that came early until every request before them is written.</summary>
        private async Task WriteAsync(StreamDispatcher dispatcher, CancellationToken ct)
        {
            var early = new Dictionary<long, BatchWork>();
            long next = 0;
            await foreach (var work in dispatcher.Completed.ReadAllAsync(ct).ConfigureAwait(false))
            {
                early.Add(work.Sequence, work);
                while (early.Remove(next, out var ready))
                {
                    Write(ready);
                    next++;
                    dispatcher.Release();
                    job._rowsWritten?.Invoke(_state.NextRow);
                }
            }
        }

        private void Write(BatchWork work)
        {
            long ok = 0, failed = 0;
            for (var i = 0; i < work.Rows.Length; i++)
            {
                var row = work.Rows[i].Index;
                var outcome = work.Outcomes[i];
                if (outcome.Result is not null)
                {
                    try
                    {
                        prepared.Output.Write(row, outcome);
                        ok++;
                        continue;
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException)
                    {
                        outcome = RowOutcome.Failed(BatchStatus.InvalidResponse, ex.Message);
                    }
                }

                prepared.Output.WriteFailed(row);
                prepared.Errors.Write(row, outcome.Status!, outcome.Message!);
                failed++;
            }

            _state = _state with
            {
                NextRow = work.Rows[^1].Index + 1,
                RowsOk = _state.RowsOk + ok,
                RowsFailed = _state.RowsFailed + failed,
            };
            _progress.Report(_state.NextRow);
            if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastSave) >= _s.CheckpointInterval)
            {
                SaveCheckpoint();
            }
        }

        private void SaveCheckpoint()
        {
            // Files first: the checkpoint must never claim bytes that are not in them.
            _state = _state with { OutputBytes = prepared.Output.Flush(), ErrorsBytes = prepared.Errors.Flush() };
            _state.Save(Checkpoint.PathFor(_s.OutputPath));
            _lastSave = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        private int Finish(Exception? failure, bool interrupted)
        {
            var error = job._error;
            if (failure is null && !interrupted)
            {
                prepared.Output.Finish(_state.NextRow);
                prepared.Output.Flush();
                prepared.Errors.Flush();
                File.Delete(Checkpoint.PathFor(_s.OutputPath));
                error.WriteLine(Summary());
                return _state.RowsFailed > 0 ? ExitCodes.RowsFailed : ExitCodes.Success;
            }

            SaveCheckpoint();
            var resume = $"{_state.NextRow} rows done; rerun with --resume to continue";
            switch (interrupted ? null : failure)
            {
                case null or OperationCanceledException:
                    error.WriteLine($"interrupted: {resume}");
                    error.WriteLine(Summary());
                    return ExitCodes.Interrupted;
                case RpcException rpc:
                    error.WriteLine($"error: {rpc.StatusCode}: {rpc.Status.Detail}; {resume}");
                    error.WriteLine(Summary());
                    return ExitCodes.CallFailed;
                case InputFileException or IOException:
                    error.WriteLine($"error: {failure!.Message}; {resume}");
                    error.WriteLine(Summary());
                    return ExitCodes.BadInput;
                case var unexpected:
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unexpected);
                    return ExitCodes.CallFailed;
            }
        }

        private string Summary()
        {
            var seconds = _progress.Elapsed.TotalSeconds;
            var rows = _state.NextRow - prepared.Start.NextRow;
            var resumed = prepared.Start.NextRow > 0 ? $" (resumed at row {prepared.Start.NextRow})" : "";
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"batch: {_state.RowsOk} rows ok, {_state.RowsFailed} failed, {seconds:0.00} s, {(seconds > 0 ? rows / seconds : 0):0} rows/s{resumed}");
        }
    }
}
