using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hosting;

/// <summary>A server started with --allow-reflection false.</summary>
public sealed class ReflectionDisabledTests(ReflectionDisabledTests.Fixture fixture) : IClassFixture<ReflectionDisabledTests.Fixture>
{
    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Server:AllowReflection"] = "false",
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
}
