using System.CommandLine;
using InferenceGrpc.LoadGen.Reporting;
using InferenceGrpc.LoadGen.Results;

namespace InferenceGrpc.LoadGen.Commands;

/// <summary><c>summary</c>: the markdown comparison of result files.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--in") { Description = "Result files.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "The markdown file to write (default: standard output)." };
        var title = new Option<string>("--title") { Description = "Heading.", DefaultValueFactory = _ => "Benchmark summary" };
        var notes = new Option<string[]>("--note") { Description = "A line to list under the heading; repeatable." };
        var command = new Command("summary", "Write a markdown summary: tables per model with ratios to the echo and in-process ceilings.")
        {
            inputs, output, title, notes,
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

            var markdown = SummaryWriter.Write(runs, parse.GetValue(title)!, parse.GetValue(notes) ?? []);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, markdown).ConfigureAwait(false);
                Console.WriteLine($"summary: {path}");
            }
            else
            {
                Console.Write(markdown);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
