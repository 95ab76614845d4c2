using System.CommandLine;
using InferenceGrpc.LoadGen.InProcess;
using InferenceGrpc.LoadGen.Payload;
using InferenceGrpc.LoadGen.Results;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.LoadGen.Commands;

/// <summary><c>inprocess</c>: the compute ceiling, ONNX Runtime called directly at each batch size.</summary>
internal static class InProcessCommand
{
    public static Command Create()
    {
        var modelFile = new Option<string>("--model-file") { Description = "The .onnx file.", Required = true };
        var modelName = new Option<string>("--model-name") { Description = "Model name for reports and shape defaults (default: from a repository path <model>/<version>/model.onnx)." };
        var batchSizes = new Option<string>("--batch-sizes") { Description = "Batch sizes to measure.", DefaultValueFactory = _ => "1,2,4,8,16,32" };
        var duration = new Option<double>("--duration") { Description = "Seconds measured per batch size.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of runs before each measurement.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: ONNX Runtime's default, as the server's default).", DefaultValueFactory = _ => 0 };
        var shapes = new Option<string[]>("--shape") { Description = "Dims of a dynamic input after the batch dimension, name=d1,d2,...; repeatable." };
        var seq = new Option<int>("--seq") { Description = "Sequence length of token inputs.", DefaultValueFactory = _ => 128 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated input data.", DefaultValueFactory = _ => 42 };
        var provider = new Option<string>("--execution-provider") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        provider.AcceptOnlyFromAmong("cpu", "cuda");
        var label = new Option<string>("--label") { Description = "Series name.", DefaultValueFactory = _ => "in-process" };
        var output = new Option<string>("--out") { Description = "Write the results as JSON to this file." };

        var command = new Command("inprocess", "Measure ONNX Runtime in-process (one caller, OrtValue API) at each batch size: the compute ceiling.")
        {
            modelFile, modelName, batchSizes, duration, warmup, threads, shapes, seq, seed, provider, label, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var file = parse.GetRequiredValue(modelFile);
                if (!File.Exists(file))
                {
                    throw new ArgumentException($"--model-file '{file}' does not exist");
                }

                if (parse.GetValue(threads) < 0 || parse.GetValue(seq) < 1)
                {
                    throw new ArgumentException("--threads must be 0 or more and --seq at least 1");
                }

                return Run(
                    file, parse.GetValue(modelName) ?? ModelNameFromPath(file),
                    OptionLists.PositiveInts("--batch-sizes", parse.GetValue(batchSizes)!),
                    OptionLists.Seconds("--duration", parse.GetValue(duration)),
                    OptionLists.Seconds("--warmup", parse.GetValue(warmup), allowZero: true),
                    parse.GetValue(threads), (parse.GetValue(shapes) ?? []).Select(InputPlanner.ParseShape).ToDictionary(),
                    parse.GetValue(seq), parse.GetValue(seed), parse.GetValue(provider)!, parse.GetValue(label)!, parse.GetValue(output), ct);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.BadArguments;
            }
            catch (OnnxRuntimeException ex)
            {
                await Console.Error.WriteLineAsync("error: ONNX Runtime: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.BadArguments;
            }
        });
        return command;
    }

    /// <summary><c>.../minilm/1/model.onnx</c> → <c>minilm</c>; otherwise the file name without extension.</summary>
    public static string ModelNameFromPath(string path)
    {
        var full = Path.GetFullPath(path);
        var versionDir = Path.GetDirectoryName(full);
        if (versionDir is not null && long.TryParse(Path.GetFileName(versionDir), out _) && Path.GetDirectoryName(versionDir) is { } modelDir)
        {
            return Path.GetFileName(modelDir);
        }

        return Path.GetFileNameWithoutExtension(full);
    }

    private static int Run(
        string file, string model, int[] batches, TimeSpan duration, TimeSpan warmup, int threads, Dictionary<string, long[]> shapes,
        int seq, int seed, string provider, string label, string? output, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var benchmark = new InProcessBenchmark(file, threads, provider);
        Console.WriteLine($"loadgen inprocess: model '{model}' ({file}), {provider}, intra-op threads {(threads == 0 ? "ONNX Runtime's default" : threads)}, " +
                          $"{duration.TotalSeconds:0.###} s per batch size after {warmup.TotalSeconds:0.###} s warm-up");
        var levels = new List<LevelResult>();
        IReadOnlyList<GeneratedInput>? first = null;
        foreach (var batch in batches)
        {
            ct.ThrowIfCancellationRequested();
            var resolved = InputPlanner.Resolve(model, benchmark.Inputs, batch, shapes, seq);
            var inputs = InputDataGenerator.Generate(benchmark.Inputs, resolved, seed);
            first ??= inputs;
            var level = benchmark.Measure(inputs, batch, warmup, duration);
            levels.Add(level);
            Console.WriteLine($"  batch {batch,3}: {level.RowsPerSecond,10:N1} rows/s, p50 {TextTable.Ms(level.LatencyMs.P50)} ms, p99 {TextTable.Ms(level.LatencyMs.P99)} ms ({GrpcCommand.Describe(inputs)})");
        }

        var best = levels.MaxBy(l => l.RowsPerSecond)!;
        var run = new BenchmarkRun
        {
            Kind = RunKinds.InProcess,
            Label = label,
            Role = RunRoles.InProcess,
            Model = model,
            ModelFile = file,
            ExecutionProvider = provider,
            IntraOpThreads = threads,
            Mode = "single",
            Batch = batches[0],
            SequenceLength = first!.Any(i => InputPlanner.SequenceInputs.Contains(i.Name)) ? seq : null,
            Seed = seed,
            DurationSeconds = duration.TotalSeconds,
            WarmupSeconds = warmup.TotalSeconds,
            Inputs = first!.Select(i => new InputInfo(i.Name, i.Datatype, i.Shape, i.Data.Length)).ToArray(),
            RequestTensorBytes = first!.Sum(i => (long)i.Data.Length),
            Machine = MachineInfo.Current(),
            StartedAt = startedAt,
            CommandLine = GrpcCommand.CommandLine(),
            Levels = levels,
            BestBatchSize = best.BatchSize,
            BestRowsPerSecond = best.RowsPerSecond,
        };

        Console.WriteLine();
        var table = TextTable.InProcessLevels(run);
        Console.Write(TextTable.Render(table.Headers, table.Rows));
        Console.WriteLine($"best batch size: {best.BatchSize} ({best.RowsPerSecond:N1} rows/s)");
        if (output is not null)
        {
            ResultJson.Write(output, run);
            Console.WriteLine($"results: {output}");
        }

        return ExitCodes.Success;
    }
}
