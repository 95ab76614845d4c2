using System.Text.Json;
using Grpc.Core;
using Inference;
using InferenceGrpc.Cli.Tests.Infrastructure;
using InferenceGrpc.Tests.Infrastructure;
using OutputTensor = Inference.ModelInferResponse.Types.InferOutputTensor;
using TensorMetadata = Inference.ModelMetadataResponse.Types.TensorMetadata;

namespace InferenceGrpc.Cli.Tests.Commands;

public sealed class InferCommandTests
{
    private const string JsonRequest = """
        {"id": "from-file",
         "inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [[1, 2]]}],
         "outputs": [{"name": "y"}]}
        """;

    [Fact]
    public async Task Infer_JsonInput_SendsRawRequestAndPrintsJsonResponse()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(invoker, "infer", "--model", "m", "--model-version", "3", "--input", input.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        var request = Assert.IsType<ModelInferRequest>(Assert.Single(invoker.UnaryRequests));
        Assert.Equal("m", request.ModelName);
        Assert.Equal("3", request.ModelVersion);
        Assert.Equal("from-file", request.Id);
        Assert.Equal(["y"], request.Outputs.Select(o => o.Name));
        Assert.Equal([0, 0, 0x80, 0x3F, 0, 0, 0, 0x40], request.RawInputContents[0].ToByteArray());
        Assert.Equal(
            """{"model_name":"m","model_version":"3","id":"from-file","outputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}""",
            stdout.TrimEnd());
    }

    [Fact]
    public async Task Infer_IdAndOutputOptions_OverrideFile()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, _, _) = await CliRunner.RunAsync(
            invoker, "infer", "-m", "m", "-i", input.Path, "--id", "cli", "--output", "a", "b", "--output", "c");

        Assert.Equal(0, exitCode);
        var request = Assert.IsType<ModelInferRequest>(Assert.Single(invoker.UnaryRequests));
        Assert.Equal("cli", request.Id);
        Assert.Equal(["a", "b", "c"], request.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Infer_Classification_AsksEachOutputForItsTopK()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path, "--output", "a", "b", "-k", "2");

        Assert.True(exitCode == 0, stderr);
        var request = Assert.IsType<ModelInferRequest>(Assert.Single(invoker.UnaryRequests));
        Assert.Equal([2L, 2L], request.Outputs.Select(o => o.Parameters["classification"].Int64Param));
    }

    [Fact]
    public async Task Infer_ClassificationWithoutOutput_ExitsTwoWithoutCallingServer()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path, "--classification", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains("--classification needs the outputs to classify: add --output NAME", stderr);
        Assert.Empty(invoker.UnaryRequests);
    }

    [Fact]
    public async Task Infer_NpyWithoutInputName_UsesModelsOnlyInput()
    {
        var invoker = EchoServer().On<ModelMetadataRequest, ModelMetadataResponse>("ModelMetadata", r => new ModelMetadataResponse
        {
            Name = r.Name,
            Inputs = { new TensorMetadata { Name = "images", Datatype = "UINT8", Shape = { -1, 2 } } },
        });
        using var input = TempFile.WithBytes(".npy", NpyFile.Build(NpyFile.Header("|u1", "(1, 2)"), [7, 8]));

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path);

        Assert.True(exitCode == 0, stderr);
        var request = invoker.UnaryRequests.OfType<ModelInferRequest>().Single();
        Assert.Equal("images", request.Inputs[0].Name);
        Assert.Equal("UINT8", request.Inputs[0].Datatype);
        Assert.Contains("\"data\":[7,8]", stdout);
    }

    [Fact]
    public async Task Infer_NpyWithInputName_SkipsMetadata()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithBytes(".npy", NpyFile.Build(NpyFile.Header("<i8", "(1,)"), BitConverter.GetBytes(5L)));

        var (exitCode, _, _) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path, "--input-name", "ids");

        Assert.Equal(0, exitCode);
        var request = Assert.IsType<ModelInferRequest>(Assert.Single(invoker.UnaryRequests));
        Assert.Equal("ids", request.Inputs[0].Name);
    }

    [Fact]
    public async Task Infer_NpyForModelWithSeveralInputs_ExitsTwoAskingForInputName()
    {
        var invoker = EchoServer().On<ModelMetadataRequest, ModelMetadataResponse>("ModelMetadata", _ => new ModelMetadataResponse
        {
            Inputs = { new TensorMetadata { Name = "a" }, new TensorMetadata { Name = "b" } },
        });
        using var input = TempFile.WithBytes(".npy", NpyFile.Build(NpyFile.Header("|u1", "(1,)"), [1]));

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("--input-name", stderr);
    }

    [Fact]
    public async Task Infer_ServerError_PrintsStatusAndExitsOne()
    {
        var invoker = new FakeCallInvoker().On<ModelInferRequest, ModelInferResponse>(
            "ModelInfer", _ => throw new RpcException(new Status(StatusCode.NotFound, "unknown model 'm'")));
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, stdout, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal("error: NotFound: unknown model 'm'", stderr.TrimEnd());
    }

    [Fact]
    public async Task Infer_BadJsonFile_ExitsTwoNamingProblemWithoutCallingServer()
    {
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", """{"inputs": [{"name": "x", "datatype": "FP32", "shape": [3], "data": [1]}]}""");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains(input.Path, stderr);
        Assert.Contains("1 values", stderr);
        Assert.Empty(invoker.UnaryRequests);
    }

    [Fact]
    public async Task Infer_FortranOrderNpy_ExitsTwo()
    {
        using var input = TempFile.WithBytes(".npy", NpyFile.Build(NpyFile.Header("<f4", "(1,)", fortranOrder: true), new byte[4]));

        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m", "-i", input.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("fortran_order", stderr);
    }

    [Fact]
    public async Task Infer_MissingFile_ExitsTwo()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m", "-i", "/nonexistent/in.json");

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot read", stderr);
    }

    [Fact]
    public async Task Infer_UnknownExtension_ExitsTwo()
    {
        using var input = TempFile.WithText(".csv", "1,2");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m", "-i", input.Path);

        Assert.Equal(2, exitCode);
        Assert.Contains("'.csv'", stderr);
    }

    [Fact]
    public async Task Infer_InputNameWithJson_ExitsTwo()
    {
        using var input = TempFile.WithText(".json", JsonRequest);

        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m", "-i", input.Path, "--input-name", "x");

        Assert.Equal(2, exitCode);
        Assert.Contains("--input-name", stderr);
    }

    [Fact]
    public async Task Infer_MissingModelOption_FailsParse()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-i", "x.json");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--model", stderr);
    }

    [Fact]
    public async Task Infer_ResponseOutputsRoundTripThroughJsonReader()
    {
        // What infer prints, fed back as "data", gives the same bytes: the output format is the input format.
        var invoker = EchoServer();
        using var input = TempFile.WithText(".json", """
            {"inputs": [{"name": "h", "datatype": "FP16", "shape": [3], "data": [0.1, "NaN", -65504]}]}
            """);

        var (_, stdout, _) = await CliRunner.RunAsync(invoker, "infer", "-m", "m", "-i", input.Path);

        using var printed = JsonDocument.Parse(stdout);
        var output = printed.RootElement.GetProperty("outputs")[0];
        var again = Cli.Inputs.JsonInputReader.Read(
            $$"""{"inputs": [{"name": "h", "datatype": "FP16", "shape": [3], "data": {{output.GetProperty("data").GetRawText()}}}]}""");
        var sent = Assert.IsType<ModelInferRequest>(Assert.Single(invoker.UnaryRequests)).RawInputContents[0].ToByteArray();
        Assert.Equal(sent, again.Inputs[0].Data);
    }

    // An identity model: every input comes back as the output of the same name.
    [Fact]
    public async Task Infer_TextOptions_OneBytesRowEachInOrder()
    {
        var invoker = EchoServer();
        using var lines = TempFile.WithText(".txt", "third line\n\nfourth = line\n");

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "tok",
            "--text", "text=a sentence", "--text", "text=x=y", "--text-file", "text=" + lines.Path);

        Assert.True(exitCode == 0, stderr);
        var request = invoker.UnaryRequests.OfType<ModelInferRequest>().Single();
        var tensor = Assert.Single(request.Inputs);
        Assert.Equal(("text", "BYTES"), (tensor.Name, tensor.Datatype));
        Assert.Equal([4, 1], tensor.Shape);
        Assert.Equal(BytesElements("a sentence"u8.ToArray(), "x=y"u8.ToArray(), "third line"u8.ToArray(), "fourth = line"u8.ToArray()),
            request.RawInputContents[0].ToByteArray());
    }

    [Fact]
    public async Task Infer_ImageWithoutName_FileBytesToTheModelsOnlyInput()
    {
        var invoker = EchoServer().On<ModelMetadataRequest, ModelMetadataResponse>("ModelMetadata", r => new ModelMetadataResponse
        {
            Name = r.Name,
            Inputs = { new TensorMetadata { Name = "IMAGE", Datatype = "BYTES", Shape = { -1, 1 } } },
        });
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];
        using var image = TempFile.WithBytes(".png", png);

        var (exitCode, _, stderr) = await CliRunner.RunAsync(invoker, "infer", "-m", "pipeline", "--image", image.Path);

        Assert.True(exitCode == 0, stderr);
        var request = invoker.UnaryRequests.OfType<ModelInferRequest>().Single();
        Assert.Equal(("IMAGE", "BYTES"), (request.Inputs[0].Name, request.Inputs[0].Datatype));
        Assert.Equal([1, 1], request.Inputs[0].Shape);
        Assert.Equal(BytesElements(png), request.RawInputContents[0].ToByteArray());
    }

    [Fact]
    public async Task Infer_MissingImageFile_ExitsBadInputNamingIt()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m", "--image", "IMAGE=/nonexistent/a.png");

        Assert.Equal(2, exitCode);
        Assert.Contains("/nonexistent/a.png", stderr);
    }

    [Fact]
    public async Task Infer_NoInputAtAll_ExitsBadInputSayingWhatToGive()
    {
        var (exitCode, _, stderr) = await CliRunner.RunAsync(EchoServer(), "infer", "-m", "m");

        Assert.Equal(2, exitCode);
        Assert.Contains("--input FILE, or --text, --text-file or --image", stderr);
    }

    private static byte[] BytesElements(params byte[][] elements) =>
        elements.SelectMany(e => BitConverter.GetBytes(e.Length).Concat(e)).ToArray();

    private static FakeCallInvoker EchoServer() =>
        new FakeCallInvoker().On<ModelInferRequest, ModelInferResponse>("ModelInfer", request =>
        {
            var response = new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = request.Id };
            foreach (var input in request.Inputs)
            {
                response.Outputs.Add(new OutputTensor { Name = input.Name, Datatype = input.Datatype, Shape = { input.Shape } });
            }

            response.RawOutputContents.AddRange(request.RawInputContents);
            return response;
        });
}
