using System.CommandLine;
using InferenceGrpc.LoadGen.Charting;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Commands;

/// <summary><c>chart</c>: a latency–throughput PNG from result files.</summary>
internal static class ChartCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--in") { Description = "Result files (grpc and inprocess).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "The PNG to write.", Required = true };
        var title = new Option<string>("--title") { Description = "Chart title (default: the models and the machine)." };
        var linear = new Option<bool>("--linear") { Description = "Linear latency axis (default: log scale)." };
        var xScale = new Option<string>("--x-scale")
        {
            Description = "Throughput axis: auto (log when the series differ by more than 10x), linear or log.",
            DefaultValueFactory = _ => "auto",
        };
        xScale.AcceptOnlyFromAmong("auto", "linear", "log");
        var command = new Command("chart", "Draw latency (p50, p99) against throughput (rows/s), one series per result file, the in-process ceiling as a vertical line.")
        {
            inputs, output, title, linear, xScale,
        };
        command.SetAction(async (parse, _) =>
        {
            List<BenchmarkRun> runs;
            try
            {
                runs = parse.GetRequiredValue(inputs).Select(ResultJson.Read).ToList();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.BadArguments;
            }

            var path = parse.GetRequiredValue(output);
            bool? logThroughput = parse.GetValue(xScale) switch { "log" => true, "linear" => false, _ => null };
            LatencyThroughputChart.SavePng(ChartData.From(runs, parse.GetValue(title)), path, !parse.GetValue(linear), logThroughput);
            Console.WriteLine($"chart: {path}");
            return ExitCodes.Success;
        });
        return command;
    }
}
