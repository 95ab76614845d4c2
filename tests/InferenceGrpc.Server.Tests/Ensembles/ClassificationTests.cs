using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Tests.Infrastructure;
using static InferenceGrpc.Server.Tests.Ensembles.EnsembleFixture;

namespace InferenceGrpc.Server.Tests.Ensembles;

/// <summary>Triton's classification extension over real gRPC: the bundled classifier, an ensemble output, bad asks.</summary>
public sealed class ClassificationTests(EnsembleFixture fixture) : IClassFixture<EnsembleFixture>
{
    private const string Probabilities = "softmax_0.tmp_0";

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    private static ModelInferRequest Classify(ModelInferRequest request, string output, InferParameter k)
    {
        var wanted = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output };
        wanted.Parameters["classification"] = k;
        request.Outputs.Add(wanted);
        return request;
    }

    private static InferParameter K(long k) => new() { Int64Param = k };

    private static string[] Strings(ByteString raw)
    {
        var strings = new List<string>();
        foreach (var element in BytesTensor.Enumerate(raw.Span))
        {
            strings.Add(Encoding.UTF8.GetString(element));
        }

        return [.. strings];
    }

    /// <summary>A .npy file of little-endian float32 (version 1 header), as the bundled samples are.</summary>
    private static (long[] Shape, byte[] Data) ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        var shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var shape = shapeText[..shapeText.IndexOf(')', StringComparison.Ordinal)]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (shape, bytes[(10 + headerLength)..]);
    }

    [Theory]
    [InlineData("sample_upright.npy")]
    [InlineData("sample_rotated.npy")]
    public async Task ModelInfer_TextDirectionTop1_IsTheArgmaxWithItsLabel(string sample)
    {
        var (shape, data) = ReadNpy(Path.Combine(TestRepository.SourceRoot, "models", TextDirection, sample));
        var labels = await File.ReadAllLinesAsync(Path.Combine(TestRepository.SourceRoot, "models", TextDirection, "labels.txt"));
        var plain = await _client.ModelInferAsync(Requests.For(TextDirection).WithRaw("x", "FP32", shape, data));
        var probabilities = Requests.ToFloats(plain.RawOutputContents[0]);
        var argmax = Array.IndexOf(probabilities, probabilities.Max());

        var classified = await _client.ModelInferAsync(Classify(Requests.For(TextDirection).WithRaw("x", "FP32", shape, data), Probabilities, K(1)));

        var output = Assert.Single(classified.Outputs);
        Assert.Equal("BYTES", output.Datatype);
        Assert.Equal([1L, 1], output.Shape);
        var parts = Assert.Single(Strings(classified.RawOutputContents[0])).Split(':');
        Assert.Equal(probabilities[argmax].ToString("F6", System.Globalization.CultureInfo.InvariantCulture), parts[0]);
        Assert.Equal(argmax.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        Assert.Equal(labels[argmax], parts[2]);
    }

    [Fact]
    public async Task ModelInfer_TextDirectionUprightSample_IsLabelledZeroDegrees()
    {
        var (shape, data) = ReadNpy(Path.Combine(TestRepository.SourceRoot, "models", TextDirection, "sample_upright.npy"));

        var response = await _client.ModelInferAsync(Classify(Requests.For(TextDirection).WithRaw("x", "FP32", shape, data), Probabilities, K(2)));

        var classes = Strings(response.RawOutputContents[0]);
        Assert.Equal(2, classes.Length);
        Assert.EndsWith(":0:0", classes[0], StringComparison.Ordinal);
        Assert.EndsWith(":1:180", classes[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_EnsembleOutput_ClassifiesEachRowWithTheEnsemblesLabels()
    {
        float[] x = [1, 4, 2, 3, 4, 3, 2, 1];
        var request = Classify(EnsembleRpcTests.Request(Pipeline, x), "SUM", K(2));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "DIFF" });

        var response = await _client.ModelInferAsync(request);

        Assert.Equal([2L, 2], response.Outputs[0].Shape);
        Assert.Equal(["12.000000:1:second", "9.000000:3:fourth", "12.000000:0:first", "9.000000:1:second"], Strings(response.RawOutputContents[0]));
        Assert.Equal("FP32", response.Outputs[1].Datatype);   // the output asked for plainly stays a tensor
        Assert.Equal(x, Requests.ToFloats(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task ModelInfer_KLargerThanTheClasses_ReturnsEveryClass()
    {
        var response = await _client.ModelInferAsync(Classify(EnsembleRpcTests.Request(UnbatchedPipeline, [1, 2, 3, 4]), "SUM", K(10)));

        // Without a batch dimension, each tensor is one row of classes: all 4 of [1,4], as shape [4].
        Assert.Equal([4L], response.Outputs[0].Shape);
        Assert.Equal(["12.000000:3", "9.000000:2", "6.000000:1", "3.000000:0"], Strings(response.RawOutputContents[0]));
    }

    public static TheoryData<InferParameter> BadK => new()
    {
        K(0),
        K(-3),
        new InferParameter { StringParam = "2" },
        new InferParameter { DoubleParam = 2.0 },
        new InferParameter { BoolParam = true },
    };

    [Theory]
    [MemberData(nameof(BadK))]
    public async Task ModelInfer_InvalidK_ThrowsInvalidArgumentNamingTheOutput(InferParameter k)
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument,
            _client.ModelInferAsync(Classify(EnsembleRpcTests.Request(Pipeline, new float[4]), "SUM", k)), "'SUM'", "classification");
    }

    [Fact]
    public async Task ModelInfer_ClassificationOfBytesOutput_ThrowsInvalidArgumentNamingTheOutput()
    {
        var strings = Enumerable.Range(0, 4).Select(i => Encoding.UTF8.GetBytes($"s{i}")).ToArray();
        var request = Requests.For(IdentityBytes).WithRaw("INPUT0", "BYTES", [1, 4], BytesTensor.Encode(strings));

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Classify(request, "OUTPUT0", K(1))), "'OUTPUT0'", "BYTES");
    }

    [Fact]
    public async Task ServerMetadata_AdvertisesTheClassificationExtension()
    {
        var metadata = await _client.ServerMetadataAsync(new ServerMetadataRequest());

        Assert.Contains("classification", metadata.Extensions);
    }
}
