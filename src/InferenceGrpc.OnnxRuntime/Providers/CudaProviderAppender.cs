using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Providers;

/// <summary>
/// Adds the CUDA execution provider with <paramref name="settings"/> to session options, throwing when it cannot.
/// A seam so that tests on machines without CUDA can act out both outcomes.
/// </summary>
internal delegate void CudaProviderAppender(SessionOptions options, CudaProviderSettings settings);
