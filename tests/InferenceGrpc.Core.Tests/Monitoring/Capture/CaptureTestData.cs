using System.Runtime.InteropServices;
using System.Text;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Monitoring.Capture;

/// <summary>Versions, tensors and observations for the capture tests.</summary>
internal static class CaptureTestData
{
    /// <summary>A ready version whose config carries <paramref name="parameters"/>; capture never touches its scheduler.</summary>
    public static ModelVersion Version(string model, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, params (string Key, string Value)[] parameters)
    {
        // Later pairs win, so a test can override a base parameter.
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            map[key] = value;
        }

        var config = new ModelConfig { Name = model, Parameters = map };
        return ModelVersion.Ready(model, 3, config, new ModelSignature(8, inputs, outputs), null!);
    }

    public static InputTensor Fp32(string name, params float[] values) =>
        new(name, DataType.Fp32, [1, values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static InputTensor Text(string name, params string[] values) => Bytes(name, values.Select(Encoding.UTF8.GetBytes).ToArray());

    public static InputTensor Bytes(string name, params byte[][] values) =>
        new(name, DataType.Bytes, [1, values.Length], BytesTensor.Encode(values));

    public static OutputTensor Output<T>(string name, DataType type, params T[] values)
        where T : struct =>
        new(name, type, [1, values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static InferenceObservation Observation(ModelVersion version, string id, IReadOnlyList<InputTensor> inputs, IReadOnlyList<OutputTensor> outputs, TimeSpan elapsed) =>
        new(version, new InferenceRequest { ModelName = version.ModelName, Id = id, Inputs = inputs },
            new InferenceResult(version.ModelName, version.Version, outputs, null), elapsed);
}
