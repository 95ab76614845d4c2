using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>A request the server must refuse, the status it must answer, and what the message must name.</summary>
internal sealed record MalformedCase(Func<ModelInferRequest> Build, StatusCode Code, string[] Names);

/// <summary>
/// Every way a client can get a ModelInfer request wrong, by name (the name shows in test results). Errors of
/// typed contents are in <c>ModelInferDatatypeTests</c>.
/// </summary>
internal static class MalformedRequests
{
    private const string Fp32 = "identity_fp32";

    private static readonly Dictionary<string, MalformedCase> Cases = new(StringComparer.Ordinal)
    {
        ["unknown model"] = new(
            () => Requests.For("no_such_model").WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.NotFound, ["no_such_model"]),
        ["unknown version"] = new(
            () => Requests.For(Fp32, version: "7").WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.NotFound, [Fp32, "7"]),
        ["empty model name"] = new(
            () => Requests.For("").WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, ["model_name"]),
        ["model not ready"] = new(
            () => Requests.For(ModelNames.Broken).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.Unavailable, [ModelNames.Broken]),
        ["model with unreadable config"] = new(
            () => Requests.For(ModelNames.BadConfig).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.Unavailable, [ModelNames.BadConfig]),
        ["model without versions"] = new(
            () => Requests.For(ModelNames.NoVersions).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.Unavailable, [ModelNames.NoVersions]),
        ["failure inside ONNX Runtime"] = new(
            () => Requests.For(ModelNames.AddSubAnyLength)
                .WithRaw("INPUT0", "FP32", [1, 3], new byte[12]).WithRaw("INPUT1", "FP32", [1, 4], new byte[16]),
            StatusCode.Internal, [ModelNames.AddSubAnyLength]),
        ["wrong datatype"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "INT32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["unknown datatype FLOAT"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FLOAT", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'", "FLOAT"]),
        ["lower-case datatype"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "fp32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, ["'INPUT0'"]),
        ["wrong rank"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [8], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["scalar shape"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [], new byte[4]),
            StatusCode.InvalidArgument, ["'INPUT0'"]),
        ["wrong fixed dimension after batch"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 5], new byte[40]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["wrong fixed dimension of non-batching model"] = new(
            () => Requests.For(ModelNames.NoBatch).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [ModelNames.NoBatch, "'INPUT0'"]),
        ["batch dimension added to non-batching model"] = new(
            () => Requests.For(ModelNames.NoBatch).WithRaw("INPUT0", "FP32", [1, 2, 3], new byte[24]),
            StatusCode.InvalidArgument, [ModelNames.NoBatch, "'INPUT0'"]),
        ["raw data one byte short"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 4], new byte[31]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["raw data one byte extra"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 4], new byte[33]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["no data at all"] = new(
            () => Requests.For(Fp32).WithTyped("INPUT0", "FP32", [2, 4], new InferTensorContents()),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["BYTES length prefix past the end"] = new(
            () => Requests.For(ModelNames.Identity("BYTES")).WithRaw("INPUT0", "BYTES", [1, 4], BytesWithOverlongLastElement()),
            StatusCode.InvalidArgument, [ModelNames.Identity("BYTES"), "'INPUT0'"]),
        ["BYTES truncated length prefix"] = new(
            () => Requests.For(ModelNames.Identity("BYTES")).WithRaw("INPUT0", "BYTES", [1, 4], [.. Datatypes.EncodeBytes([[1], [2], [3]]), 1, 0]),
            StatusCode.InvalidArgument, [ModelNames.Identity("BYTES"), "'INPUT0'"]),
        ["BYTES element count not matching shape"] = new(
            () => Requests.For(ModelNames.Identity("BYTES")).WithRaw("INPUT0", "BYTES", [1, 4], Datatypes.EncodeBytes([[1], [2], [3]])),
            StatusCode.InvalidArgument, [ModelNames.Identity("BYTES"), "'INPUT0'"]),
        ["missing input"] = new(
            () => Requests.For(ModelNames.Simple).WithRaw("INPUT0", "FP32", [1, 16], new byte[64]),
            StatusCode.InvalidArgument, [ModelNames.Simple, "'INPUT1'"]),
        ["no inputs"] = new(
            () => Requests.For(ModelNames.Simple),
            StatusCode.InvalidArgument, [ModelNames.Simple, "'INPUT0'"]),
        ["unknown input name"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT9", "FP32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT9'"]),
        ["input without name"] = new(
            () => Requests.For(Fp32).WithRaw("", "FP32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32]),
        ["duplicate input"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]).WithRaw("INPUT0", "FP32", [2, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["both raw and typed contents"] = new(
            () => WithTypedAlso(Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 4], new byte[32])),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["fewer raw contents than inputs"] = new(
            () => WithoutLastRaw(Requests.For(ModelNames.Simple)
                .WithRaw("INPUT0", "FP32", [1, 16], new byte[64]).WithRaw("INPUT1", "FP32", [1, 16], new byte[64])),
            StatusCode.InvalidArgument, [ModelNames.Simple]),
        ["more raw contents than inputs"] = new(
            () => WithExtraRaw(Requests.For(Fp32).WithRaw("INPUT0", "FP32", [2, 4], new byte[32])),
            StatusCode.InvalidArgument, [Fp32]),
        ["batch sizes differ between inputs"] = new(
            () => Requests.For(ModelNames.Simple)
                .WithRaw("INPUT0", "FP32", [2, 16], new byte[128]).WithRaw("INPUT1", "FP32", [3, 16], new byte[192]),
            StatusCode.InvalidArgument, [ModelNames.Simple, "'INPUT1'"]),
        ["batch above max_batch_size"] = new(
            () => Requests.For(ModelNames.Simple)
                .WithRaw("INPUT0", "FP32", [9, 16], new byte[576]).WithRaw("INPUT1", "FP32", [9, 16], new byte[576]),
            StatusCode.InvalidArgument, [ModelNames.Simple, "'INPUT0'"]),
        ["batch above default max_batch_size"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [5, 4], new byte[80]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["batch zero"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [0, 4], []),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["negative dimension"] = new(
            () => Requests.For(Fp32).WithRaw("INPUT0", "FP32", [-1, 4], new byte[32]),
            StatusCode.InvalidArgument, [Fp32, "'INPUT0'"]),
        ["negative free dimension"] = new(
            () => Requests.For(ModelNames.AnyShape).WithRaw("INPUT0", "FP32", [2, -4, 1], new byte[32]),
            StatusCode.InvalidArgument, [ModelNames.AnyShape, "'INPUT0'"]),
        ["element count overflows"] = new(
            () => Requests.For(ModelNames.AnyShape).WithRaw("INPUT0", "FP32", [1L << 31, 1L << 31, 1L << 31], new byte[32]),
            StatusCode.InvalidArgument, [ModelNames.AnyShape, "'INPUT0'"]),
        ["byte size overflows"] = new(
            () => Requests.For(ModelNames.IdentityFp32AnyLength).WithRaw("INPUT0", "FP32", [1, 1L << 62], new byte[32]),
            StatusCode.InvalidArgument, [ModelNames.IdentityFp32AnyLength, "'INPUT0'"]),
        ["unknown requested output"] = new(
            () => Requests.IdentityFp32().WithOutputs("OUTPUT9"),
            StatusCode.InvalidArgument, [Fp32, "'OUTPUT9'"]),
    };

    public static MalformedCase Get(string name) => Cases[name];

    public static IEnumerable<string> Names => Cases.Keys;

    public static TheoryData<string> All() => [.. Cases.Keys];

    // Four elements, the last claiming 1000 bytes where 2 remain.
    private static byte[] BytesWithOverlongLastElement()
    {
        var data = Datatypes.EncodeBytes([[1], [2], [3], [4, 5]]);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(data.Length - 6), 1000);
        return data;
    }

    private static ModelInferRequest WithTypedAlso(ModelInferRequest request)
    {
        request.Inputs[0].Contents = Datatypes.Get("FP32").Typed!.Clone();
        return request;
    }

    private static ModelInferRequest WithoutLastRaw(ModelInferRequest request)
    {
        request.RawInputContents.RemoveAt(request.RawInputContents.Count - 1);
        return request;
    }

    private static ModelInferRequest WithExtraRaw(ModelInferRequest request)
    {
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[32]));
        return request;
    }
}
