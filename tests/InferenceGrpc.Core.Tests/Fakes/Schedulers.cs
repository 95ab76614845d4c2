using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>Schedulers over fake runners with the server's default policy, for tests that need a ready version.</summary>
internal static class Schedulers
{
    public static ModelScheduler For(string model, long version, ModelSignature signature, params IModelRunner[] instances) =>
        new(model, version, signature,
            BatchingPolicy.Create(new ModelConfig { Name = model }, signature, new SchedulerOptions()),
            instances, TimeProvider.System, NullLogger.Instance);
}
