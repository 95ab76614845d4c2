using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Services;

[Collection(ServerCollection.Name)]
public sealed class RepositoryRpcTests(ServerFixture fixture)
{
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    private static readonly string[] ReadyModels =
    [
        .. Datatypes.All.Select(s => ModelNames.Identity(s.Wire)),
        ModelNames.IdentityFp32AnyLength,
        ModelNames.AnyShape,
        ModelNames.Simple,
        ModelNames.AddSubAnyLength,
        ModelNames.NoBatch,
        ModelNames.TextDirection,
    ];

    [Fact]
    public async Task RepositoryIndex_AllModels_ListsEveryModelVersionWithItsState()
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var entries = response.Models.Select(m => (m.Name, m.Version, m.State)).ToList();
        var expected = ReadyModels.Select(m => (m, "1", "READY"))
            .Append((ModelNames.Scale, "1", "READY"))
            .Append((ModelNames.Scale, "2", "READY"))
            .Append((ModelNames.Broken, "1", "UNAVAILABLE"))
            .Append((ModelNames.BadConfig, "1", "UNAVAILABLE"))
            .Append((ModelNames.NoVersions, "", "UNAVAILABLE"));
        Assert.Equal(expected.Order(), entries.Order());
    }

    [Fact]
    public async Task RepositoryIndex_AllModels_ListsModelsInNameOrder()
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var names = response.Models.Select(m => m.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Theory]
    [InlineData(ModelNames.Broken)]
    [InlineData(ModelNames.BadConfig)]
    [InlineData(ModelNames.NoVersions)]
    public async Task RepositoryIndex_UnavailableModel_GivesReason(string model)
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        var entry = Assert.Single(response.Models, m => m.Name == model);
        Assert.Equal("UNAVAILABLE", entry.State);
        Assert.False(string.IsNullOrWhiteSpace(entry.Reason));
    }

    [Fact]
    public async Task RepositoryIndex_ReadyModel_GivesNoReason()
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest());

        Assert.All(response.Models.Where(m => m.State == "READY"), m => Assert.Equal("", m.Reason));
    }

    [Fact]
    public async Task RepositoryIndex_ReadyOnly_LeavesOutUnavailableModels()
    {
        var response = await _client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true });

        Assert.All(response.Models, m => Assert.Equal("READY", m.State));
        Assert.DoesNotContain(response.Models, m => m.Name is ModelNames.Broken or ModelNames.BadConfig or ModelNames.NoVersions);
        Assert.Equal(ReadyModels.Length + 2, response.Models.Count);
    }

    public static TheoryData<string> UnimplementedRpcs() =>
    [
        "SystemSharedMemoryStatus", "SystemSharedMemoryRegister",
        "SystemSharedMemoryUnregister", "CudaSharedMemoryStatus", "CudaSharedMemoryRegister", "CudaSharedMemoryUnregister",
        "TraceSetting", "LogSettings",
    ];

    [Theory]
    [MemberData(nameof(UnimplementedRpcs))]
    public async Task UnimplementedRpc_AnyRequest_ThrowsUnimplemented(string rpc)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => rpc switch
        {
            "SystemSharedMemoryStatus" => _client.SystemSharedMemoryStatusAsync(new()).ResponseAsync,
            "SystemSharedMemoryRegister" => _client.SystemSharedMemoryRegisterAsync(new() { Name = "region" }).ResponseAsync,
            "SystemSharedMemoryUnregister" => _client.SystemSharedMemoryUnregisterAsync(new() { Name = "region" }).ResponseAsync,
            "CudaSharedMemoryStatus" => _client.CudaSharedMemoryStatusAsync(new()).ResponseAsync,
            "CudaSharedMemoryRegister" => _client.CudaSharedMemoryRegisterAsync(new() { Name = "region" }).ResponseAsync,
            "CudaSharedMemoryUnregister" => _client.CudaSharedMemoryUnregisterAsync(new() { Name = "region" }).ResponseAsync,
            "TraceSetting" => _client.TraceSettingAsync(new()).ResponseAsync,
            "LogSettings" => (Task)_client.LogSettingsAsync(new()).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(rpc), rpc, null),
        });

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task RepositoryModelLoadAndUnload_ModelControlNone_ThrowUnavailableAsTriton()
    {
        var load = await Assert.ThrowsAsync<RpcException>(() => _client.RepositoryModelLoadAsync(new() { ModelName = ModelNames.Simple }).ResponseAsync);
        var unload = await Assert.ThrowsAsync<RpcException>(() => _client.RepositoryModelUnloadAsync(new() { ModelName = ModelNames.Simple }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, load.StatusCode);
        Assert.Equal(StatusCode.Unavailable, unload.StatusCode);
        Assert.Contains("--model-control-mode explicit", load.Status.Detail);
    }
}
