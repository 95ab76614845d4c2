using System.Text.Json;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>The built <c>infergrpc</c> CLI, run as a child process against the shared server.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTests(ServerFixture fixture) : IDisposable
{
    private const float Tolerance = 1e-5f;

    /// <summary>A hang guard, not a timing check.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("inferencegrpc-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Server => fixture.Server.Address.ToString();

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        await using var process = ChildProcess.StartDotnet(BuildOutputs.CliAssembly, args);
        var exitCode = await process.WaitForExitAsync(ExitTimeout);
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>A KServe v2 JSON request file for <paramref name="images"/>; floats written in round-trip form.</summary>
    private string WriteJsonInput(string id, float[] images)
    {
        var path = Path.Combine(_directory, "input.json");
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteStartArray("inputs");
        json.WriteStartObject();
        json.WriteString("name", ReferenceModel.InputName);
        json.WriteString("datatype", "FP32");
        json.WriteStartArray("shape");
        foreach (var dim in new[] { images.Length / ReferenceModel.ImageSize, ReferenceModel.Channels, ReferenceModel.Height, ReferenceModel.Width })
        {
            json.WriteNumberValue(dim);
        }

        json.WriteEndArray();
        json.WriteStartArray("data");
        foreach (var value in images)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        return path;
    }

    [Fact]
    public async Task Infer_JsonInputFile_PrintsResponseMatchingOnnxRuntime()
    {
        var images = RandomImages.Create(seed: 301, count: 2);
        var expected = fixture.Reference.Run(images);
        var input = WriteJsonInput("cli-1", images);

        var (exitCode, stdout, stderr) = await RunCliAsync("infer", "--server", Server, "--model", ReferenceModel.ModelName, "--input", input);

        Assert.True(exitCode == 0, $"Exit code {exitCode}; stderr: {stderr}");
        using var response = JsonDocument.Parse(stdout);
        var root = response.RootElement;
        Assert.Equal(ReferenceModel.ModelName, root.GetProperty("model_name").GetString());
        Assert.Equal("1", root.GetProperty("model_version").GetString());
        Assert.Equal("cli-1", root.GetProperty("id").GetString());
        var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
        Assert.Equal(ReferenceModel.OutputName, output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, ReferenceModel.Classes], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var actual = output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Wire.AssertClose(expected, actual, Tolerance, "infergrpc infer");
    }

    [Fact]
    public async Task Infer_UnknownModel_ExitsOneNamingNotFound()
    {
        var input = WriteJsonInput("cli-2", RandomImages.Create(seed: 302, count: 1));

        var (exitCode, _, stderr) = await RunCliAsync("infer", "--server", Server, "--model", "no_such_model", "--input", input);

        Assert.Equal(1, exitCode);
        Assert.Contains("NotFound", stderr);
    }

    [Fact]
    public async Task Models_RunningServer_TableListsTextDirectionReady()
    {
        var (exitCode, stdout, stderr) = await RunCliAsync("models", "--server", Server);

        Assert.True(exitCode == 0, $"Exit code {exitCode}; stderr: {stderr}");
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        Assert.Equal(["NAME", "VERSION", "STATE", "REASON"], rows[0]);
        Assert.Contains(rows, r => r is [ReferenceModel.ModelName, "1", "READY"]);
    }

    [Fact]
    public async Task Models_Json_ListsTextDirectionReady()
    {
        var (exitCode, stdout, stderr) = await RunCliAsync("models", "--server", Server, "--json");

        Assert.True(exitCode == 0, $"Exit code {exitCode}; stderr: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        // models/ also holds the processor examples (text_direction_preprocess, text_direction_image).
        var model = document.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == ReferenceModel.ModelName);
        Assert.Equal(ReferenceModel.ModelName, model.GetProperty("name").GetString());
        Assert.Equal("1", model.GetProperty("version").GetString());
        Assert.Equal("READY", model.GetProperty("state").GetString());
    }
}
