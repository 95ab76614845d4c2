using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using InferenceGrpc.OnnxRuntime;
using Microsoft.Extensions.Logging.Abstractions;

namespace InferenceGrpc.Processors.Tests.Pipelines;

/// <summary>ONNX models of the checkout, loaded through the real ONNX Runtime backend on the CPU.</summary>
internal static class OnnxStages
{
    private static readonly OnnxModelBackend Backend = new(
        new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1 },
        NullLogger<OnnxModelBackend>.Instance);

    public static IModelRunner Load(string folder)
    {
        var source = ModelRepositoryScanner.ScanModel(folder);
        Assert.True(File.Exists(source.Versions[0].ModelPath),
            $"{source.Versions[0].ModelPath} is missing; build benchmarks/InferenceGrpc.Benchmarks.Models (this test project does so first)");
        return Backend.Load(source.Versions[0], source.Config with { InstanceGroups = [new InstanceGroup(1, ExecutionKind.Cpu, [])] });
    }
}
