using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>
/// The bundled image pipeline over the real server: image file bytes → text_direction_preprocess (a built-in processor)
/// → text_direction, as the text_direction_image ensemble of models/, and the CLI's --image.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ProcessorPipelineTests(ServerFixture fixture)
{
    private static readonly string Samples = Path.Combine(BuildOutputs.ModelRepository, "text_direction_image");

    private GRPCInferenceService.GRPCInferenceServiceClient Client => fixture.Server.Client;

    private static ModelInferRequest ImageRequest(string model, string input, params byte[][] files)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input, Datatype = "BYTES" };
        tensor.Shape.Add([files.Length, 1]);
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(tensor);
        request.RawInputContents.Add(ByteString.CopyFrom(files.SelectMany(f => BitConverter.GetBytes(f.Length).Concat(f)).ToArray()));
        return request;
    }

    [Fact]
    public async Task Ensemble_SamplePngAndJpeg_ScoresAsTheModelOnTheSampleTensors()
    {
        var response = await Client.ModelInferAsync(ImageRequest("text_direction_image", "IMAGE",
            File.ReadAllBytes(Path.Combine(Samples, "sample_rotated.png")), File.ReadAllBytes(Path.Combine(Samples, "sample_upright.jpg"))));

        var scores = Wire.Fp32Output(response, "PROBABILITIES");
        var rotated = fixture.Reference.Run(Npy(Path.Combine(BuildOutputs.ModelRepository, "text_direction", "sample_rotated.npy")));
        var upright = fixture.Reference.Run(Npy(Path.Combine(BuildOutputs.ModelRepository, "text_direction", "sample_upright.npy")));
        Assert.Equal([2L, 2], response.Outputs[0].Shape);
        Wire.AssertClose(rotated, scores.AsSpan(0, 2), 0.002f, "rotated PNG");
        Wire.AssertClose(upright, scores.AsSpan(2, 2), 0.05f, "upright JPEG (lossy)");
        Assert.True(scores[1] > scores[0] && scores[2] > scores[3], string.Join(", ", scores));
    }

    [Fact]
    public async Task Ensemble_Classification_TopLabelFromLabelsFile()
    {
        var request = ImageRequest("text_direction_image", "IMAGE", File.ReadAllBytes(Path.Combine(Samples, "sample_rotated.png")));
        var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "PROBABILITIES" };
        output.Parameters["classification"] = new InferParameter { Int64Param = 1 };
        request.Outputs.Add(output);

        var response = await Client.ModelInferAsync(request);

        Assert.Equal("BYTES", response.Outputs[0].Datatype);
        var raw = response.RawOutputContents[0].Span;
        var label = Encoding.UTF8.GetString(raw.Slice(4, BinaryPrimitives.ReadInt32LittleEndian(raw)));
        Assert.EndsWith(":1:180", label);
    }

    [Fact]
    public async Task Preprocess_UndecodableElement_InvalidArgumentNamingTheRow()
    {
        var request = ImageRequest("text_direction_preprocess", "image",
            File.ReadAllBytes(Path.Combine(Samples, "sample_upright.png")), "not an image"u8.ToArray());

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("input 'image' element 1", ex.Status.Detail);
    }

    [Fact]
    public async Task Cli_ImageFile_PrintsTheEnsemblesProbabilities()
    {
        await using var process = ChildProcess.StartDotnet(BuildOutputs.CliAssembly,
            ["infer", "--server", fixture.Server.Address.ToString(), "-m", "text_direction_image", "--image", Path.Combine(Samples, "sample_rotated.png")]);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, process.StandardError);
        Assert.Contains("\"name\":\"PROBABILITIES\",\"datatype\":\"FP32\",\"shape\":[1,2]", process.StandardOutput);
    }

    [Theory]
    [InlineData("sample_rotated.png", ":1:180")]
    [InlineData("sample_upright.jpg", ":0:0")]
    public async Task Cli_ImageFileWithClassification_PrintsTheTopLabel(string image, string label)
    {
        await using var process = ChildProcess.StartDotnet(BuildOutputs.CliAssembly,
        [
            "infer", "--server", fixture.Server.Address.ToString(), "-m", "text_direction_image", "--image", Path.Combine(Samples, image),
            "--output", "PROBABILITIES", "--classification", "1",
        ]);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, process.StandardError);
        Assert.Contains("\"name\":\"PROBABILITIES\",\"datatype\":\"BYTES\",\"shape\":[1,1]", process.StandardOutput);
        Assert.Matches("\"data\":\\[\"[0-9.]+" + label + "\"\\]", process.StandardOutput);
    }

    private static float[] Npy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var header = BitConverter.ToUInt16(bytes, 8);
        return MemoryMarshal.Cast<byte, float>(bytes.AsSpan(10 + header)).ToArray();
    }
}
