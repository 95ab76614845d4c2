using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hosting;

/// <summary>A server started with --allow-reflection false, and a small stream limit per connection.</summary>
public sealed class ReflectionDisabledTests(ReflectionDisabledTests.Fixture fixture) : IClassFixture<ReflectionDisabledTests.Fixture>
{
    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Server:AllowReflection"] = "false",
            ["Server:MaxConcurrentStreamsPerConnection"] = "2",
        };

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel("reflectionless", TestModelFactory.Identity(TensorElementKind.Float, [null, 4]));
    }

    [Fact]
    public void ServerReflection_Disabled_IsNotMapped()
    {
        // Checked on the routing table, not with a call: an unknown bidi method races the client's first write.
        var routes = fixture.Server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText ?? "").ToList();

        Assert.Contains(routes, r => r.Contains("inference.GRPCInferenceService", StringComparison.Ordinal));
        Assert.DoesNotContain(routes, r => r.Contains("grpc.reflection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelInfer_MoreConcurrentCallsThanStreamsPerConnection_EachSucceedsOrIsRefusedRetryably()
    {
        // HTTP/2 enforces the limit: once the client knows it, it queues the extra calls itself; calls it sent
        // before learning it are refused with REFUSED_STREAM, which the client reports as UNAVAILABLE (the request
        // was not processed, so retrying is safe). Nothing else may happen.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => CallAsync(i.ToString())));

        Assert.All(outcomes, o => Assert.True(o is "ok" or "Unavailable", o));
        Assert.Contains("ok", outcomes);
        var retried = await Task.WhenAll(Enumerable.Range(0, 16).Where(i => outcomes[i] != "ok").Select(i => CallAsync(i + "-retry")));
        Assert.All(retried, o => Assert.Equal("ok", o));
    }

    private async Task<string> CallAsync(string id)
    {
        try
        {
            var response = await fixture.Client.ModelInferAsync(
                Requests.For("reflectionless", id: id).WithRaw("INPUT0", "FP32", [1, 4], Requests.Floats([1f, 2f, 3f, 4f])));
            return response.Id == id ? "ok" : $"wrong id {response.Id}";
        }
        catch (Grpc.Core.RpcException ex)
        {
            return ex.StatusCode.ToString();
        }
    }
}
