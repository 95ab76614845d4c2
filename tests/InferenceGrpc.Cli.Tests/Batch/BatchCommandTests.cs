using System.Globalization;
using System.Text.Json;
using InferenceGrpc.Cli.Batch;
using InferenceGrpc.Cli.Tests.Infrastructure;

namespace InferenceGrpc.Cli.Tests.Batch;

/// <summary><c>infergrpc batch</c> against the real server in-process; expected outputs computed here, not by the server.</summary>
[Collection(BatchServerCollection.Name)]
public sealed class BatchCommandTests(BatchServerFixture fixture) : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    public async Task Jsonl_Scale_WritesEveryRowInOrderWithModelsAnswer(int maxInFlight, int rowsPerRequest)
    {
        var rows = Data.Rows(count: 101, width: 4, seed: 1);
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), rows, "INPUT0");
        var output = _dir.File("out.jsonl");

        var (exitCode, _, stderr) = await fixture.RunCliAsync(
            "batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output, "-q",
            "--max-in-flight", $"{maxInFlight}", "--rows-per-request", $"{rowsPerRequest}");

        Assert.True(exitCode == 0, stderr);
        var lines = Data.ReadJsonl(output);
        Assert.Equal(rows.Length, lines.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(i, lines[i].Row);
            Assert.Equal(rows[i].Select(v => v * 2f), lines[i].Outputs["OUTPUT0"]);
        }

        Assert.Equal("", File.ReadAllText(output + ".errors.jsonl"));
        Assert.False(File.Exists(output + ".progress"));
        Assert.Matches(@"^batch: 101 rows ok, 0 failed, [\d.]+ s, \d+ rows/s$", stderr.Trim());
    }

    [Fact]
    public async Task Csv_FeatureColumns_OneInput_WritesCsvOutput()
    {
        var rows = Data.Rows(count: 37, width: 4, seed: 2);
        var input = _dir.File("in.csv");
        File.WriteAllLines(input, ["a,b,c,d", .. rows.Select(r => string.Join(",", r.Select(Data.Text)))]);
        var output = _dir.File("out.csv");

        var (exitCode, _, stderr) = await fixture.RunCliAsync(
            "batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output, "-q", "--rows-per-request", "4", "--max-in-flight", "4");

        Assert.True(exitCode == 0, stderr);
        var lines = File.ReadAllLines(output);
        Assert.Equal("row,OUTPUT0_0,OUTPUT0_1,OUTPUT0_2,OUTPUT0_3", lines[0]);
        Assert.Equal(rows.Length + 1, lines.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(string.Join(",", [i.ToString(CultureInfo.InvariantCulture), .. rows[i].Select(v => Data.Text(v * 2f))]), lines[i + 1]);
        }
    }

    [Fact]
    public async Task Csv_ColumnsNamedAfterInputs_FeedEachInput()
    {
        var a = Data.Rows(count: 20, width: 1, seed: 3);
        var b = Data.Rows(count: 20, width: 1, seed: 4);
        var input = _dir.File("in.csv");
        File.WriteAllLines(input, ["INPUT1,INPUT0", .. a.Select((r, i) => $"{Data.Text(b[i][0])},{Data.Text(r[0])}")]);
        var output = _dir.File("out.csv");

        var (exitCode, _, stderr) = await fixture.RunCliAsync("batch", "-m", BatchServerFixture.AddSubScalar, "-i", input, "-o", output, "-q");

        Assert.True(exitCode == 0, stderr);
        var lines = File.ReadAllLines(output);
        Assert.Equal("row,OUTPUT0,OUTPUT1", lines[0]);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal($"{i},{Data.Text(a[i][0] + b[i][0])},{Data.Text(a[i][0] - b[i][0])}", lines[i + 1]);
        }
    }

    [Fact]
    public async Task Npy_OneFilePerInput_WritesNpyOfSelectedOutput()
    {
        var a = Data.Rows(count: 30, width: 16, seed: 5);
        var b = Data.Rows(count: 30, width: 16, seed: 6);
        var inputA = Data.WriteNpy(_dir.File("a.npy"), a);
        var inputB = Data.WriteNpy(_dir.File("b.npy"), b);
        var output = _dir.File("out.npy");

        var (exitCode, _, stderr) = await fixture.RunCliAsync(
            "batch", "-m", BatchServerFixture.AddSub, "-i", $"INPUT0={inputA}", $"INPUT1={inputB}", "-o", output,
            "--output-name", "OUTPUT1", "-q", "--rows-per-request", "8");

        Assert.True(exitCode == 0, stderr);
        var written = Cli.Inputs.NpyReader.Read(File.ReadAllBytes(output));
        Assert.Equal("FP32", written.Datatype);
        Assert.Equal([30L, 16L], written.Shape);
        var values = Data.Floats(written.Data);
        Assert.Equal(a.SelectMany((r, i) => r.Select((v, j) => v - b[i][j])), values);
    }

    [Fact]
    public async Task Npy_ModelWithoutBatching_SendsOneRowPerRequest()
    {
        var rows = Data.Rows(count: 12, width: 4, seed: 7);
        var input = Data.WriteNpy(_dir.File("x.npy"), rows);
        var output = _dir.File("out.jsonl");

        var (exitCode, _, stderr) = await fixture.RunCliAsync("batch", "-m", BatchServerFixture.ScaleNoBatch, "-i", input, "-o", output, "-q");

        Assert.True(exitCode == 0, stderr);
        var lines = Data.ReadJsonl(output);
        Assert.Equal(rows.Select(r => r.Select(v => v * 3f)), lines.Select(l => l.Outputs["OUTPUT0"]));
    }

    [Fact]
    public async Task Npy_BigEndian_IsDecodedBeforeSending()
    {
        var rows = Data.Rows(count: 5, width: 4, seed: 14);
        var data = rows.SelectMany(r => r).SelectMany(v => BitConverter.GetBytes(v).Reverse()).ToArray();
        var input = _dir.File("be.npy");
        File.WriteAllBytes(input, NpyFile.Build(NpyFile.Header(">f4", "(5, 4)"), data));
        var output = _dir.File("out.jsonl");

        var (exitCode, _, stderr) = await fixture.RunCliAsync("batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output, "-q");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(rows.Select(r => r.Select(v => v * 2f)), Data.ReadJsonl(output).Select(l => l.Outputs["OUTPUT0"]));
    }

    [Fact]
    public async Task MalformedRows_AreReportedInErrorsFile_RestSucceed_ExitThree()
    {
        var rows = Data.Rows(count: 40, width: 4, seed: 8);
        var lines = rows.Select(r => Data.JsonlLine("INPUT0", r)).ToArray();
        lines[5] = """{"INPUT0": [1, 2, 3]}""";          // wrong element count: the server says INVALID_ARGUMENT
        lines[17] = """{"INPUT0": [1, 2, 3, 4]""";       // not JSON: never sent
        lines[30] = """{"INPUT0": ["x", 2, 3, 4]}""";    // not a number: never sent
        var input = _dir.File("in.jsonl");
        File.WriteAllLines(input, lines);
        var output = _dir.File("out.jsonl");

        var (exitCode, _, stderr) = await fixture.RunCliAsync(
            "batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output, "-q", "--rows-per-request", "4", "--max-in-flight", "4");

        Assert.Equal(3, exitCode);
        Assert.Contains("37 rows ok, 3 failed", stderr);
        var written = Data.ReadJsonl(output);
        int[] bad = [5, 17, 30];
        Assert.Equal(Enumerable.Range(0, 40).Except(bad), written.Select(l => (int)l.Row));
        foreach (var line in written)
        {
            Assert.Equal(rows[line.Row].Select(v => v * 2f), line.Outputs["OUTPUT0"]);
        }

        var errors = File.ReadAllLines(output + ".errors.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(bad, errors.Select(e => e.GetProperty("row").GetInt32()));
        Assert.Equal(["INVALID_ARGUMENT", BatchStatus.InvalidRow, BatchStatus.InvalidRow], errors.Select(e => e.GetProperty("status").GetString()));
        Assert.Contains("INPUT0", errors[0].GetProperty("message").GetString());
        Assert.Contains("data[0]", errors[2].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Interrupted_ThenResumed_OutputIdenticalToCleanRun_NoRowRunTwiceBeyondWindow()
    {
        const int rowCount = 300, window = 4, rowsPerRequest = 2;
        var rows = Data.Rows(count: rowCount, width: 4, seed: 9);
        rows[123] = [1, 2, 3];   // a failed row before and after the cut checks the errors file resumes too
        rows[250] = [1, 2, 3];
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), rows, "INPUT0");
        var clean = _dir.File("clean.jsonl");
        var resumed = _dir.File("resumed.jsonl");
        string[] options = ["-q", "--max-in-flight", $"{window}", "--rows-per-request", $"{rowsPerRequest}"];
        var (cleanExit, _, cleanErr) = await fixture.RunCliAsync(["batch", "-m", BatchServerFixture.ScaleForResume, "-i", input, "-o", clean, .. options]);
        Assert.True(cleanExit == 3, cleanErr);
        var before = await fixture.InferenceCountAsync(BatchServerFixture.ScaleForResume);

        // Arrange: stop the first run once 150 rows are written, through the command's own cancellation path.
        using var stop = new CancellationTokenSource();
        var settings = new BatchSettings(
            BatchServerFixture.ScaleForResume, "", [input], null, resumed, null, [], rowsPerRequest,
            new DispatchOptions(window, TimeSpan.FromSeconds(60), 5, TimeSpan.FromMilliseconds(10)), Resume: false, Quiet: true);
        var stderr = new StringWriter();
        var first = await new BatchJob(settings, fixture.Client(), stderr, rowsDone => { if (rowsDone >= 150) stop.Cancel(); }).RunAsync(stop.Token);

        Assert.Equal(130, first);
        Assert.Contains("--resume", stderr.ToString());
        var checkpoint = Checkpoint.Load(resumed + ".progress")!;
        Assert.InRange(checkpoint.NextRow, 150, 150 + window * rowsPerRequest);   // answers already in hand are written on the way out

        // Act: resume through the CLI.
        var (exitCode, _, err) = await fixture.RunCliAsync(["batch", "-m", BatchServerFixture.ScaleForResume, "-i", input, "-o", resumed, "--resume", .. options]);

        // Assert: same bytes as the clean run, and the model ran each row once, plus at most one window again.
        Assert.True(exitCode == 3, err);
        Assert.Contains($"resumed at row {checkpoint.NextRow}", err);
        Assert.Contains("298 rows ok, 2 failed", err);
        Assert.Equal(File.ReadAllBytes(clean), File.ReadAllBytes(resumed));
        Assert.Equal(File.ReadAllBytes(clean + ".errors.jsonl"), File.ReadAllBytes(resumed + ".errors.jsonl"));
        Assert.False(File.Exists(resumed + ".progress"));
        var ran = await fixture.InferenceCountAsync(BatchServerFixture.ScaleForResume) - before;
        Assert.InRange(ran, (ulong)(rowCount - 2), (ulong)(rowCount - 2 + window * rowsPerRequest));
    }

    [Fact]
    public async Task Resumed_NpyOutput_IdenticalToCleanRun()
    {
        var rows = Data.Rows(count: 64, width: 4, seed: 10);
        var input = Data.WriteNpy(_dir.File("in.npy"), rows);
        var clean = _dir.File("clean.npy");
        var resumed = _dir.File("resumed.npy");
        Assert.Equal(0, (await fixture.RunCliAsync("batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", clean, "-q")).ExitCode);

        using var stop = new CancellationTokenSource();
        var settings = new BatchSettings(BatchServerFixture.Scale, "", [input], null, resumed, null, [], 1,
            new DispatchOptions(2, TimeSpan.FromSeconds(60), 5, TimeSpan.FromMilliseconds(10)), Resume: false, Quiet: true);
        Assert.Equal(130, await new BatchJob(settings, fixture.Client(), TextWriter.Null, n => { if (n >= 20) stop.Cancel(); }).RunAsync(stop.Token));
        Assert.Equal(0, await new BatchJob(settings with { Resume = true }, fixture.Client(), TextWriter.Null).RunAsync(CancellationToken.None));

        Assert.Equal(File.ReadAllBytes(clean), File.ReadAllBytes(resumed));
    }

    [Fact]
    public async Task CheckpointWithoutResume_ExitsTwo()
    {
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), Data.Rows(4, 4, 11), "INPUT0");
        var output = _dir.File("out.jsonl");
        new Checkpoint("other", 1, 0, 0, 1, 0).Save(output + ".progress");

        var (exitCode, _, stderr) = await fixture.RunCliAsync("batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output);
        var (resumeExit, _, resumeErr) = await fixture.RunCliAsync("batch", "-m", BatchServerFixture.Scale, "-i", input, "-o", output, "--resume");

        Assert.Equal(2, exitCode);
        Assert.Contains("--resume", stderr);
        Assert.Equal(2, resumeExit);
        Assert.Contains("another job", resumeErr);
    }

    [Fact]
    public async Task RowsPerRequest_OnModelWithoutBatching_ExitsTwo()
    {
        var input = Data.WriteNpy(_dir.File("x.npy"), Data.Rows(2, 4, 12));

        var (exitCode, _, stderr) = await fixture.RunCliAsync(
            "batch", "-m", BatchServerFixture.ScaleNoBatch, "-i", input, "-o", _dir.File("o.jsonl"), "--rows-per-request", "2");

        Assert.Equal(2, exitCode);
        Assert.Contains("max_batch_size 0", stderr);
    }

    [Fact]
    public async Task Progress_IsPrintedUnlessQuiet()
    {
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), Data.Rows(10, 4, 13), "INPUT0");
        var settings = new BatchSettings(BatchServerFixture.Scale, "", [input], null, _dir.File("o.jsonl"), null, [], 1,
            new DispatchOptions(2, TimeSpan.FromSeconds(60), 5, TimeSpan.FromMilliseconds(10)), Resume: false, Quiet: false)
        {
            ProgressInterval = TimeSpan.Zero,
        };
        var stderr = new StringWriter();

        Assert.Equal(0, await new BatchJob(settings, fixture.Client(), stderr).RunAsync(CancellationToken.None));

        Assert.Contains("10/10 rows (100.0%)", stderr.ToString());
    }
}
