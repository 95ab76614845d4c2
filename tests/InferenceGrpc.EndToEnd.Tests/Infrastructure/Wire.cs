using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;

namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>Builds and reads protocol messages by hand (raw little-endian contents), independent of the client library.</summary>
internal static class Wire
{
    /// <summary>A text_direction request for the images in <paramref name="images"/>.</summary>
    public static ModelInferRequest TextDirectionRequest(string id, ReadOnlySpan<float> images)
    {
        var batch = images.Length / ReferenceModel.ImageSize;
        var input = new ModelInferRequest.Types.InferInputTensor { Name = ReferenceModel.InputName, Datatype = "FP32" };
        input.Shape.Add([batch, ReferenceModel.Channels, ReferenceModel.Height, ReferenceModel.Width]);
        var request = new ModelInferRequest { ModelName = ReferenceModel.ModelName, Id = id };
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(images)));
        return request;
    }

    /// <summary>The FP32 output <paramref name="name"/> of a response that uses raw_output_contents.</summary>
    public static float[] Fp32Output(ModelInferResponse response, string name)
    {
        var index = response.Outputs.ToList().FindIndex(o => o.Name == name);
        Assert.True(index >= 0, $"The response has no output '{name}'.");
        Assert.Equal("FP32", response.Outputs[index].Datatype);
        Assert.Equal(response.Outputs.Count, response.RawOutputContents.Count);
        return MemoryMarshal.Cast<byte, float>(response.RawOutputContents[index].Span).ToArray();
    }

    /// <summary>Every element within <paramref name="tolerance"/>; the message names the first that is not.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= tolerance, $"{what}: element {i} is {actual[i]:R}, ONNX Runtime gives {expected[i]:R} (|diff| {difference:R} > {tolerance:R}).");
        }
    }
}
