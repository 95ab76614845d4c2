using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>Short builders for inference requests and float tensors.</summary>
internal static class Requests
{
    public static ModelInferRequest For(string model, string version = "", string id = "") =>
        new() { ModelName = model, ModelVersion = version, Id = id };

    /// <summary>Adds an input with its data in raw_input_contents.</summary>
    public static ModelInferRequest WithRaw(this ModelInferRequest request, string name, string datatype, long[] shape, byte[] data)
    {
        request.Inputs.Add(Input(name, datatype, shape));
        request.RawInputContents.Add(ByteString.CopyFrom(data));
        return request;
    }

    /// <summary>Adds an input with its data in the typed contents fields.</summary>
    public static ModelInferRequest WithTyped(this ModelInferRequest request, string name, string datatype, long[] shape, InferTensorContents contents)
    {
        var input = Input(name, datatype, shape);
        input.Contents = contents;
        request.Inputs.Add(input);
        return request;
    }

    /// <summary>Asks for these outputs only, in this order.</summary>
    public static ModelInferRequest WithOutputs(this ModelInferRequest request, params string[] names)
    {
        request.Outputs.Add(names.Select(n => new ModelInferRequest.Types.InferRequestedOutputTensor { Name = n }));
        return request;
    }

    public static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.Add(shape);
        return input;
    }

    /// <summary>A valid request to the FP32 identity model: batch rows of 4 values.</summary>
    public static ModelInferRequest IdentityFp32(int batch = 2, string id = "") =>
        For(ModelNames.Identity("FP32"), id: id).WithRaw("INPUT0", "FP32", [batch, 4], Floats(Sequence(batch * 4, 0.25f)));

    /// <summary>A valid request to <c>simple</c>: INPUT0 and INPUT1 of [batch,16].</summary>
    public static ModelInferRequest Simple(float[] input0, float[] input1, string id = "")
    {
        var batch = input0.Length / 16;
        return For(ModelNames.Simple, id: id)
            .WithRaw("INPUT0", "FP32", [batch, 16], Floats(input0))
            .WithRaw("INPUT1", "FP32", [batch, 16], Floats(input1));
    }

    /// <summary><paramref name="count"/> distinct values: start, start+step, ...</summary>
    public static float[] Sequence(int count, float step, float start = 0f) =>
        Enumerable.Range(0, count).Select(i => start + (i * step)).ToArray();

    /// <summary>Deterministic pseudo-random values in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    public static byte[] Floats(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public static float[] ToFloats(ByteString raw) => MemoryMarshal.Cast<byte, float>(raw.Span).ToArray();
}
