using System.CommandLine;
using Grpc.Core;
using InferenceGrpc.Client;
using InferenceGrpc.LoadGen.Grpc;
using InferenceGrpc.LoadGen.Payload;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Commands;

/// <summary><c>grpc</c>: load a server (ours, the echo server, any Open Inference Protocol server) at several levels.</summary>
internal static class GrpcCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Server address.", DefaultValueFactory = _ => "http://127.0.0.1:8001" };
        var model = new Option<string>("--model") { Description = "Model name.", Required = true };
        var version = new Option<string>("--model-version") { Description = "Model version (default: the server's choice).", DefaultValueFactory = _ => "" };
        var batch = new Option<int>("--batch") { Description = "Rows per request (the batch dimension).", DefaultValueFactory = _ => 1 };
        var shapes = new Option<string[]>("--shape") { Description = "Dims of a dynamic input after the batch dimension, name=d1,d2,...; repeatable." };
        var seq = new Option<int>("--seq") { Description = "Sequence length of token inputs (input_ids, attention_mask, token_type_ids).", DefaultValueFactory = _ => 128 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated input data.", DefaultValueFactory = _ => 42 };
        var outputs = new Option<string[]>("--output") { Description = "Output to request; repeatable (default: all)." };
        var concurrency = new Option<string>("--concurrency") { Description = "Closed loop: concurrent callers per level.", DefaultValueFactory = _ => "1,8,32,128" };
        var duration = new Option<double>("--duration") { Description = "Seconds measured per level.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of load before each level's measurement.", DefaultValueFactory = _ => 2 };
        var mode = new Option<string>("--mode") { Description = "closed: callers send back to back; open: a fixed arrival rate.", DefaultValueFactory = _ => "closed" };
        mode.AcceptOnlyFromAmong("closed", "open");
        var rate = new Option<string>("--rate") { Description = "Open loop: requests per second per level, e.g. 100,200,400." };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Open loop: cap on requests in flight; beyond it arrivals go out late.", DefaultValueFactory = _ => 1024 };
        var lateMs = new Option<double>("--late-ms") { Description = "Open loop: a request sent this many ms after its intended time is late.", DefaultValueFactory = _ => 2 };
        var stream = new Option<bool>("--stream") { Description = "Use ModelStreamInfer: one stream per caller." };
        var window = new Option<int>("--window") { Description = "With --stream: requests in flight per stream.", DefaultValueFactory = _ => 1 };
        var connections = new Option<int>("--connections") { Description = "gRPC channels, callers spread round robin.", DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout") { Description = "Deadline of each request, seconds.", DefaultValueFactory = _ => 30 };
        var wait = new Option<double>("--wait") { Description = "Seconds to wait for the model to answer ModelMetadata.", DefaultValueFactory = _ => 60 };
        var label = new Option<string>("--label") { Description = "Series name in tables and charts (default: server and mode)." };
        var role = new Option<string>("--role") { Description = "server, or echo for the transport ceiling.", DefaultValueFactory = _ => RunRoles.Server };
        role.AcceptOnlyFromAmong(RunRoles.Server, RunRoles.Echo);
        var output = new Option<string>("--out") { Description = "Write the results as JSON to this file." };

        var command = new Command("grpc", "Load a gRPC Open Inference Protocol server and report throughput, latency and errors per level.")
        {
            server, model, version, batch, shapes, seq, seed, outputs, concurrency, duration, warmup, mode, rate, maxInFlight, lateMs,
            stream, window, connections, timeout, wait, label, role, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            Arguments args;
            try
            {
                var isOpen = parse.GetValue(mode) == "open";
                var rateText = parse.GetValue(rate);
                if (isOpen && string.IsNullOrEmpty(rateText))
                {
                    throw new ArgumentException("--mode open needs --rate");
                }

                if (isOpen && parse.GetValue(stream))
                {
                    throw new ArgumentException("--mode open sends unary calls; --stream is closed loop only");
                }

                args = new Arguments(
                    parse.GetValue(server)!, parse.GetRequiredValue(model), parse.GetValue(version) ?? "",
                    Positive("--batch", parse.GetValue(batch)),
                    (parse.GetValue(shapes) ?? []).Select(InputPlanner.ParseShape).ToDictionary(),
                    Positive("--seq", parse.GetValue(seq)), parse.GetValue(seed), parse.GetValue(outputs) ?? [],
                    OptionLists.PositiveInts("--concurrency", parse.GetValue(concurrency)!),
                    isOpen ? OptionLists.PositiveDoubles("--rate", rateText!) : null,
                    Positive("--max-in-flight", parse.GetValue(maxInFlight)),
                    new LoadSettings(
                        parse.GetValue(stream), Positive("--window", parse.GetValue(window)),
                        OptionLists.Seconds("--warmup", parse.GetValue(warmup), allowZero: true),
                        OptionLists.Seconds("--duration", parse.GetValue(duration)),
                        OptionLists.Seconds("--timeout", parse.GetValue(timeout)),
                        parse.GetValue(batch),
                        TimeSpan.FromMilliseconds(parse.GetValue(lateMs))),
                    Positive("--connections", parse.GetValue(connections)),
                    OptionLists.Seconds("--wait", parse.GetValue(wait), allowZero: true),
                    parse.GetValue(label), parse.GetValue(role)!, parse.GetValue(output));
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.BadArguments;
            }

            return await RunAsync(args, ct).ConfigureAwait(false);
        });
        return command;
    }

    private sealed record Arguments(
        string Server, string Model, string Version, int Batch, Dictionary<string, long[]> Shapes, int Seq, int Seed, string[] Outputs,
        int[] Concurrency, double[]? Rates, int MaxInFlight, LoadSettings Settings, int Connections, TimeSpan Wait,
        string? Label, string Role, string? Out);

    private static int Positive(string flag, int value) =>
        value > 0 ? value : throw new ArgumentException($"{flag} must be at least 1, got {value}");

    private static async Task<int> RunAsync(Arguments args, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var target = GrpcTarget.Connect(args.Server, args.Connections);
        Inference.ModelMetadataResponse metadata;
        try
        {
            metadata = await target.WaitForModelAsync(args.Model, args.Version, args.Wait, ct).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await Console.Error.WriteLineAsync($"error: {args.Server}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.NotReady;
        }

        IReadOnlyList<GeneratedInput> inputs;
        try
        {
            var descriptors = GrpcTarget.Inputs(metadata);
            var shapes = InputPlanner.Resolve(args.Model, descriptors, args.Batch, args.Shapes, args.Seq);
            inputs = InputDataGenerator.Generate(descriptors, shapes, args.Seed);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.BadArguments;
        }

        var request = GrpcTarget.BuildRequest(args.Model, args.Version, inputs, args.Outputs);
        var label = args.Label ?? $"{args.Server} {(args.Settings.Stream ? "stream" : "unary")}";
        var usesSequence = inputs.Any(i => InputPlanner.SequenceInputs.Contains(i.Name));
        Console.WriteLine($"loadgen grpc: {label}: model '{args.Model}' at {args.Server}, {Describe(inputs)}");
        Console.WriteLine($"  {(args.Rates is null ? "closed loop" : "open loop")}, {(args.Settings.Stream ? $"streaming (window {args.Settings.Window})" : "unary")}, " +
                          $"{args.Settings.Duration.TotalSeconds:0.###} s per level after {args.Settings.Warmup.TotalSeconds:0.###} s warm-up, {args.Connections} channel(s)");

        // One request first: a payload the model refuses would only measure errors.
        try
        {
            var probe = await target.ClientFor(0).ModelInferAsync(request, deadline: DateTime.UtcNow + args.Settings.RequestTimeout, cancellationToken: ct)
                .ConfigureAwait(false);
            var result = new InferResult(probe);
            Console.WriteLine("  outputs: " + string.Join(", ", result.OutputNames.Select(n => $"{n} {result.GetDatatype(n)} {InputPlanner.Format(result.GetShape(n))}")) +
                              (probe.Parameters.ContainsKey(ResponseParameters.BatchSize) ? "; responses carry batch_size" : "; no batch_size parameter"));
        }
        catch (RpcException ex)
        {
            await Console.Error.WriteLineAsync($"error: the first request failed: {ex.StatusCode}: {ex.Status.Detail}").ConfigureAwait(false);
            return ExitCodes.ProbeFailed;
        }

        var runner = new LoadRunner(target, request, args.Settings);
        var levels = new List<LevelResult>();
        var run = Run(args, label, inputs, startedAt, levels, usesSequence);
        IEnumerable<(int Concurrency, double? Rate)> plan = args.Rates is { } rates
            ? rates.Select(r => (args.MaxInFlight, (double?)r))
            : args.Concurrency.Select(c => (c, (double?)null));
        foreach (var (concurrency, rate) in plan)
        {
            var level = rate is { } r
                ? await runner.RunOpenAsync(r, concurrency, ct).ConfigureAwait(false)
                : await runner.RunClosedAsync(concurrency, ct).ConfigureAwait(false);
            levels.Add(level);
            var (headers, rows) = TextTable.GrpcLevels(run with { Levels = [level] });
            Console.WriteLine("  " + string.Join(", ", headers.Zip(rows[0], (h, v) => $"{h} {v}")));
        }

        run = run with { Levels = levels };
        Console.WriteLine();
        var table = TextTable.GrpcLevels(run);
        Console.Write(TextTable.Render(table.Headers, table.Rows));
        if (args.Out is { } path)
        {
            ResultJson.Write(path, run);
            Console.WriteLine($"results: {path}");
        }

        return ExitCodes.Success;
    }

    private static BenchmarkRun Run(Arguments args, string label, IReadOnlyList<GeneratedInput> inputs, DateTimeOffset startedAt, List<LevelResult> levels, bool usesSequence) => new()
    {
        Kind = RunKinds.Grpc,
        Label = label,
        Role = args.Role,
        Model = args.Model,
        ModelVersion = args.Version.Length > 0 ? args.Version : null,
        Server = args.Server,
        Mode = args.Rates is null ? "closed" : "open",
        Stream = args.Settings.Stream,
        Window = args.Settings.Window,
        Connections = args.Connections,
        Batch = args.Batch,
        SequenceLength = usesSequence ? args.Seq : null,
        Seed = args.Seed,
        DurationSeconds = args.Settings.Duration.TotalSeconds,
        WarmupSeconds = args.Settings.Warmup.TotalSeconds,
        Inputs = inputs.Select(i => new InputInfo(i.Name, i.Datatype, i.Shape, i.Data.Length)).ToArray(),
        RequestTensorBytes = inputs.Sum(i => (long)i.Data.Length),
        Machine = MachineInfo.Current(),
        StartedAt = startedAt,
        CommandLine = CommandLine(),
        Levels = levels,
    };

    public static string Describe(IReadOnlyList<GeneratedInput> inputs) =>
        string.Join(", ", inputs.Select(i => $"{i.Name} {i.Datatype} {InputPlanner.Format(i.Shape)}")) +
        $" ({inputs.Sum(i => (long)i.Data.Length):N0} tensor bytes per request)";

    public static string CommandLine() =>
        "loadgen " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

}
