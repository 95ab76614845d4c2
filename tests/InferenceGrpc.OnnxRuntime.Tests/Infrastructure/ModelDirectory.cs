using InferenceGrpc.Core.Models;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>A temporary model repository on disk, deleted on dispose.</summary>
internal sealed class ModelDirectory : IDisposable
{
    public ModelDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "onnxruntime-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The bundled PaddleOCR text-direction classifier, copied next to the test assembly.</summary>
    public static ModelVersionSource TextDirection { get; } =
        new(1, Path.Combine(AppContext.BaseDirectory, "Models", "text_direction.onnx"));

    public ModelVersionSource Write(byte[] model, string name = "model", long version = 1) =>
        new(version, TestModelFactory.WriteToRepository(Root, name, version, model));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
