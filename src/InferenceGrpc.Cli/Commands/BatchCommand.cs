using System.CommandLine;
using System.Runtime.InteropServices;
using InferenceGrpc.Cli.Batch;

namespace InferenceGrpc.Cli.Commands;

/// <summary>
/// <c>batch</c>: offline prediction over a whole file (CSV, JSONL, .npy) through a server's ModelStreamInfer, with
/// outputs written in row order, progress, retries, failed rows reported aside, and resume. docs/BATCH.md.
/// </summary>
internal static class BatchCommand
{
    public static Command Create(ClientFactory factory)
    {
        var server = CommonOptions.Server();
        var model = new Option<string>("--model", "-m") { Description = "Model name.", Required = true };
        var version = new Option<string>("--model-version") { Description = "Model version (default: the server's choice)." };
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Input file: .csv (header row), .jsonl ({\"INPUT\": [...]} a line) or .npy (first dimension = rows); " +
                "several .npy as NAME=path, one per input.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var inputName = new Option<string>("--input-name") { Description = "The input a single .npy or a CSV of feature columns feeds (default: the model's only input)." };
        var output = new Option<string>("--output", "-o") { Description = "Output file: .jsonl, .csv or .npy.", Required = true };
        var errors = new Option<string>("--errors") { Description = "Errors file, one JSON line per failed row (default: <output>.errors.jsonl)." };
        var outputNames = new Option<string[]>("--output-name")
        {
            Description = "Model output to write; repeatable (default: all).",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Requests sent and not yet written (default: 32).", DefaultValueFactory = _ => 32 };
        var rowsPerRequest = new Option<int>("--rows-per-request") { Description = "Rows stacked in one request, for models that batch (default: 1).", DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--request-timeout") { Description = "Seconds a request may go unanswered before it is sent again (default: 60).", DefaultValueFactory = _ => 60 };
        var retries = new Option<int>("--max-retries") { Description = "Retries of a transient failure (UNAVAILABLE, timeout) before giving up (default: 5).", DefaultValueFactory = _ => 5 };
        var backoff = new Option<double>("--retry-backoff-ms") { Description = "First pause before a retry, doubled each time up to 10 s (default: 200).", DefaultValueFactory = _ => 200 };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its checkpoint (<output>.progress)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines (the summary is still printed)." };

        var command = new Command("batch", "Run every row of a file through a model and write the outputs in row order.")
        {
            server, model, version, input, inputName, output, errors, outputNames, maxInFlight, rowsPerRequest, timeout, retries, backoff, resume, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var problems = new List<string>();
            Check(parse.GetValue(maxInFlight) is >= 1 and <= 65536, "--max-in-flight must be 1..65536");
            Check(parse.GetValue(rowsPerRequest) >= 1, "--rows-per-request must be at least 1");
            Check(parse.GetValue(timeout) > 0, "--request-timeout must be more than 0 seconds");
            Check(parse.GetValue(retries) >= 0, "--max-retries must be 0 or more");
            Check(parse.GetValue(backoff) >= 0, "--retry-backoff-ms must be 0 or more");
            if (problems.Count > 0)
            {
                problems.ForEach(p => error.WriteLine($"error: {p}"));
                return ExitCodes.BadInput;
            }

            var settings = new BatchSettings(
                parse.GetRequiredValue(model),
                parse.GetValue(version) ?? "",
                parse.GetRequiredValue(input),
                parse.GetValue(inputName),
                parse.GetRequiredValue(output),
                parse.GetValue(errors),
                parse.GetValue(outputNames) ?? [],
                parse.GetValue(rowsPerRequest),
                new DispatchOptions(
                    parse.GetValue(maxInFlight),
                    TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    parse.GetValue(retries),
                    TimeSpan.FromMilliseconds(parse.GetValue(backoff))),
                parse.GetValue(resume),
                parse.GetValue(quiet));

            using var client = CommonOptions.TryCreateClient(factory, parse.GetValue(server) ?? CommonOptions.DefaultServer, error);
            if (client is null)
            {
                return ExitCodes.BadInput;
            }

            // System.CommandLine 2.0.0 leaves Ctrl+C unhandled (ProcessTerminationTimeout is null despite its docs,
            // dotnet/command-line-api#2739), so the process would die mid-write. The first SIGINT/SIGTERM stops the
            // job cleanly (answers in hand written, checkpoint saved); a second one ends the process at once.
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var signals = 0;
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return await new BatchJob(settings, client, error).RunAsync(interrupt.Token).ConfigureAwait(false);

            void Stop(PosixSignalContext context)
            {
                if (Interlocked.Increment(ref signals) == 1)
                {
                    context.Cancel = true;
                    interrupt.Cancel();
                }
            }

            void Check(bool ok, string problem)
            {
                if (!ok)
                {
                    problems.Add(problem);
                }
            }
        });
        return command;
    }
}
