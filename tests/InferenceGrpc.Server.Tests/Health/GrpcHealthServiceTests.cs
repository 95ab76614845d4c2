using Grpc.Health.V1;
using InferenceGrpc.Server.Tests.Infrastructure;

namespace InferenceGrpc.Server.Tests.Health;

[Collection(ServerCollection.Name)]
public sealed class GrpcHealthServiceTests(ServerFixture fixture)
{
    private readonly Grpc.Health.V1.Health.HealthClient _client = new(fixture.Server.Channel);

    [Theory]
    [InlineData("")]
    [InlineData("liveness")]
    [InlineData("readiness")]
    public async Task Check_ServerReady_ReturnsServing(string service)
    {
        var response = await _client.CheckAsync(new HealthCheckRequest { Service = service });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_ThrowsNotFound()
    {
        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await _client.CheckAsync(new HealthCheckRequest { Service = "no_such_service" }));

        Assert.Equal(Grpc.Core.StatusCode.NotFound, ex.StatusCode);
    }
}
