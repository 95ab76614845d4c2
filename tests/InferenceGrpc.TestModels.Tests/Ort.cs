using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.TestModels.Tests;

/// <summary>Small helpers around ONNX Runtime's OrtValue API.</summary>
internal static class Ort
{
    public static InferenceSession Load(byte[] model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs the session with the given named inputs and returns the requested outputs, in order.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session,
        IReadOnlyList<(string Name, OrtValue Value)> inputs,
        params string[] outputNames)
    {
        using var runOptions = new RunOptions();
        return session.Run(
            runOptions,
            inputs.Select(i => i.Name).ToArray(),
            inputs.Select(i => i.Value).ToArray(),
            outputNames);
    }

    public static OrtValue StringTensor(string[] values, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < values.Length; i++)
        {
            value.StringTensorSetElementAt(values[i].AsMemory(), i);
        }

        return value;
    }
}
