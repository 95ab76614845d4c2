using InferenceGrpc.Core.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace InferenceGrpc.OnnxRuntime.Tests;

public sealed class OnnxRuntimeServiceCollectionExtensionsTests
{
    [Fact]
    public void AddOnnxRuntimeBackend_Twice_RegistersOneSingletonBackendAndOneValidator()
    {
        var services = new ServiceCollection();

        services.AddOnnxRuntimeBackend().AddOnnxRuntimeBackend();

        var backend = Assert.Single(services, d => d.ServiceType == typeof(IModelBackend));
        Assert.Equal(ServiceLifetime.Singleton, backend.Lifetime);
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<OnnxRuntimeOptions>));
    }

    [Fact]
    public void AddOnnxRuntimeBackend_BackendAlreadyRegistered_KeepsIt()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IModelBackend>(new OnnxModelBackend(new OnnxRuntimeOptions(), new Infrastructure.RecordingLogger<OnnxModelBackend>()));

        services.AddOnnxRuntimeBackend();

        Assert.NotNull(Assert.Single(services, d => d.ServiceType == typeof(IModelBackend)).ImplementationInstance);
    }

    [Fact]
    public void Validator_NegativeThreads_Fails()
    {
        var result = new OnnxRuntimeOptionsValidator().Validate(null, new OnnxRuntimeOptions { IntraOpThreads = -1, DeviceId = -2 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(OnnxRuntimeOptions.IntraOpThreads), result.FailureMessage);
        Assert.Contains(nameof(OnnxRuntimeOptions.DeviceId), result.FailureMessage);
    }

    [Fact]
    public void Validator_Defaults_Succeed()
    {
        Assert.True(new OnnxRuntimeOptionsValidator().Validate(null, new OnnxRuntimeOptions()).Succeeded);
    }
}
