using Grpc.Reflection.V1Alpha;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Hosting;

[Collection(ServerCollection.Name)]
public sealed class ReflectionServiceTests(ServerFixture fixture)
{
    private readonly ServerReflection.ServerReflectionClient _client = new(fixture.Server.Channel);

    private async Task<ServerReflectionResponse> AskAsync(ServerReflectionRequest request)
    {
        using var call = _client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task ListServices_Always_ListsInferenceAndHealthServices()
    {
        var response = await AskAsync(new ServerReflectionRequest { ListServices = "" });

        var services = response.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("inference.GRPCInferenceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task FileContainingSymbol_InferenceService_ReturnsItsDescriptor()
    {
        var response = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = "inference.GRPCInferenceService" });

        Assert.Equal(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse, response.MessageResponseCase);
        var files = response.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes));
        Assert.Contains(files, f => f.Package == "inference" && f.Service.Any(s => s.Name == "GRPCInferenceService"));
    }
}
