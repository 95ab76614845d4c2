using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>
/// text_direction run directly in ONNX Runtime (CPU provider) in the test process: the independent source of the
/// values the server must return.
/// </summary>
internal sealed class ReferenceModel : IDisposable
{
    public const string ModelName = "text_direction";
    public const string InputName = "x";
    public const string OutputName = "softmax_0.tmp_0";
    public const int Channels = 3;
    public const int Height = 48;
    public const int Width = 192;
    public const int ImageSize = Channels * Height * Width;
    public const int Classes = 2;

    private readonly InferenceSession _session;

    public ReferenceModel()
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(BuildOutputs.TextDirectionModel, options);
    }

    /// <summary>Runs a batch of <c>images.Length / ImageSize</c> images; returns [batch, Classes] row-major.</summary>
    public float[] Run(float[] images)
    {
        var batch = images.Length / ImageSize;
        using var input = OrtValue.CreateTensorValueFromMemory(images, [batch, Channels, Height, Width]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, [InputName], [input], [OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
