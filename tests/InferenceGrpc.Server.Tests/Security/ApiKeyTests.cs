using Grpc.Core;
using Grpc.Health.V1;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Server.Tests.Security;

/// <summary>Static API keys on the inference and repository RPCs; health and reflection stay open.</summary>
public sealed class ApiKeyTests(ApiKeyTests.Fixture fixture) : IClassFixture<ApiKeyTests.Fixture>
{
    private const string UserKey = "user-key-0123456789abcdef";
    private const string AdminKey = "admin-key-fedcba9876543210";
    private const string WrongKey = "wrong-key-5555555555555555";

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    public sealed class Fixture : ServerFixtureBase, IDisposable
    {
        private readonly string _keysFile = Path.Combine(Path.GetTempPath(), "igrpc-keys-" + Guid.NewGuid().ToString("N"));

        public Fixture()
        {
            File.WriteAllText(_keysFile, $"# test keys\n{UserKey}\n\nadmin:{AdminKey}\n");
        }

        public void Dispose() => File.Delete(_keysFile);

        internal RecordingLoggerProvider Logs { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Server:ApiKeysFile"] = _keysFile,
            ["Server:ModelControlMode"] = "explicit",
            ["Server:LoadModel:0"] = ModelNames.Simple,
            ["Logging:LogLevel:Default"] = "Debug",
        };

        protected override void Configure(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float));
    }

    private static Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };

    private static ModelInferRequest Infer()
    {
        var input = Requests.Sequence(16, 1f);
        return Requests.Simple(input, input);
    }

    [Fact]
    public async Task ModelInfer_UserKey_Succeeds()
    {
        var response = await _client.ModelInferAsync(Infer(), Bearer(UserKey));

        Assert.Equal(2, response.Outputs.Count);
    }

    [Fact]
    public async Task ModelInfer_NoKey_IsUnauthenticated()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, _client.ModelInferAsync(Infer()));
    }

    [Fact]
    public async Task ModelInfer_WrongKey_IsUnauthenticatedAndNotLogged()
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, _client.ModelInferAsync(Infer(), Bearer(WrongKey)));

        Assert.DoesNotContain(WrongKey, ex.Status.Detail, StringComparison.Ordinal);
        var refusal = Assert.Single(fixture.Logs.Lines, l => l.Contains("CallRefused", StringComparison.Ordinal) && l.Contains("not a configured API key", StringComparison.Ordinal));
        Assert.Contains("Debug", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(WrongKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelInfer_OtherScheme_IsUnauthenticated()
    {
        var headers = new Metadata { { "authorization", "Basic " + UserKey } };

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, _client.ModelInferAsync(Infer(), headers));
    }

    [Fact]
    public async Task ModelStreamInfer_NoKey_IsUnauthenticated()
    {
        using var call = _client.ModelStreamInfer();
        try
        {
            await call.RequestStream.WriteAsync(Infer());
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
            // The server may end the call before the client's write lands: the status is read below either way.
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task ModelStreamInfer_UserKey_Succeeds()
    {
        using var call = _client.ModelStreamInfer(Bearer(UserKey));
        await call.RequestStream.WriteAsync(Infer());
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Empty(call.ResponseStream.Current.ErrorMessage);
    }

    [Fact]
    public async Task RepositoryIndex_NoKey_IsUnauthenticated()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, _client.RepositoryIndexAsync(new RepositoryIndexRequest()));
    }

    [Fact]
    public async Task RepositoryModelLoad_UserKey_IsPermissionDenied()
    {
        await RpcAssert.FailsAsync(
            StatusCode.PermissionDenied, _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = ModelNames.Simple }, Bearer(UserKey)));
        await RpcAssert.FailsAsync(
            StatusCode.PermissionDenied, _client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = ModelNames.Simple }, Bearer(UserKey)));
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(UserKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RepositoryModelLoad_AdminKey_Succeeds()
    {
        await _client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = ModelNames.Simple }, Bearer(AdminKey));

        var ready = await _client.ModelReadyAsync(new ModelReadyRequest { Name = ModelNames.Simple });
        Assert.True(ready.Ready);
        Assert.DoesNotContain(fixture.Logs.Lines, l => l.Contains(AdminKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthRpcs_NoKey_StayOpen()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var health = new Grpc.Health.V1.Health.HealthClient(fixture.Server.Channel);
        var status = await health.CheckAsync(new HealthCheckRequest { Service = string.Empty });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
    }

    [Fact]
    public async Task Reflection_NoKey_StaysOpen()
    {
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(fixture.Server.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.NotEmpty(call.ResponseStream.Current.ListServicesResponse.Service);
    }
}

/// <summary>With --authenticate-health, the health RPCs need a key too.</summary>
public sealed class AuthenticatedHealthTests(AuthenticatedHealthTests.Fixture fixture) : IClassFixture<AuthenticatedHealthTests.Fixture>
{
    public sealed class Fixture : ServerFixtureBase, IDisposable
    {
        private readonly string _keysFile = Path.Combine(Path.GetTempPath(), "igrpc-keys-" + Guid.NewGuid().ToString("N"));

        public Fixture()
        {
            File.WriteAllText(_keysFile, "health-key-0123456789abcdef\n");
        }

        public void Dispose() => File.Delete(_keysFile);

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Server:ApiKeysFile"] = _keysFile,
            ["Server:AuthenticateHealth"] = "true",
        };

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float));
    }

    [Fact]
    public async Task ServerReady_NoKey_IsUnauthenticated()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, fixture.Client.ServerReadyAsync(new ServerReadyRequest()));
        var health = new Grpc.Health.V1.Health.HealthClient(fixture.Server.Channel);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest()));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task ServerReady_Key_Succeeds()
    {
        var response = await fixture.Client.ServerReadyAsync(new ServerReadyRequest(), new Metadata { { "authorization", "Bearer health-key-0123456789abcdef" } });

        Assert.True(response.Ready);
    }
}
