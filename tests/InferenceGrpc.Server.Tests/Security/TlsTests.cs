using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Security;

/// <summary>TLS and mutual TLS on the gRPC port, with certificates made by the test and reloaded on rotation.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private readonly TestCertificates _files = new();
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("test-ca");
    private readonly X509Certificate2 _otherCa = TestCertificates.CreateCa("other-ca");
    private RunningServer? _server;

    public Task InitializeAsync()
    {
        _repository.AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repository.Dispose();
        _files.Dispose();
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public async Task ModelInfer_TlsWithTrustedCa_Succeeds()
    {
        await StartAsync(mutual: false);
        using var channel = TlsChannel.Open(_server!.App, _ca);

        var input = Requests.Sequence(16, 1f);
        var response = await channel.Client.ModelInferAsync(Requests.Simple(input, input));

        Assert.Equal(2, response.Outputs.Count);
        Assert.NotNull(channel.ServerCertificate);
    }

    [Fact]
    public async Task ServerReady_ClientNotTrustingTheCa_Fails()
    {
        await StartAsync(mutual: false);
        using var channel = TlsChannel.Open(_server!.App, _otherCa);

        await AssertHandshakeFailsAsync(channel);
    }

    [Fact]
    public async Task ServerReady_CleartextClientOnTlsPort_Fails()
    {
        await StartAsync(mutual: false);

        await Assert.ThrowsAsync<RpcException>(async () =>
            await _server!.Client.ServerReadyAsync(new ServerReadyRequest(), deadline: DateTime.UtcNow.AddSeconds(10)));
    }

    [Fact]
    public async Task ServerReady_MutualTlsWithoutClientCertificate_Fails()
    {
        await StartAsync(mutual: true);
        using var channel = TlsChannel.Open(_server!.App, _ca);

        await AssertHandshakeFailsAsync(channel);
    }

    [Fact]
    public async Task ServerReady_MutualTlsWithClientCertificateFromTheCa_Succeeds()
    {
        await StartAsync(mutual: true);
        using var client = TestCertificates.CreateClient(_ca);
        using var channel = TlsChannel.Open(_server!.App, _ca, client);

        var response = await channel.Client.ServerReadyAsync(new ServerReadyRequest());

        Assert.True(response.Ready);
    }

    [Fact]
    public async Task ServerReady_MutualTlsWithClientCertificateFromAnotherCa_Fails()
    {
        await StartAsync(mutual: true);
        using var client = TestCertificates.CreateClient(_otherCa);
        using var channel = TlsChannel.Open(_server!.App, _ca, client);

        await AssertHandshakeFailsAsync(channel);
    }

    [Fact]
    public async Task NewConnection_AfterCertificateFilesReplaced_SeesTheNewCertificate()
    {
        var (certificatePath, keyPath) = await StartAsync(mutual: false, serial: 1001);
        using (var before = TlsChannel.Open(_server!.App, _ca))
        {
            await before.Client.ServerLiveAsync(new ServerLiveRequest());
            Assert.Equal(1001, Serial(before.ServerCertificate!));
        }

        using var rotated = TestCertificates.CreateServer(_ca, 2002);
        var (newCertificatePath, newKeyPath) = _files.Write(rotated, "server");
        Assert.Equal((certificatePath, keyPath), (newCertificatePath, newKeyPath));

        using var after = TlsChannel.Open(_server.App, _ca);
        await after.Client.ServerLiveAsync(new ServerLiveRequest());
        Assert.Equal(2002, Serial(after.ServerCertificate!));
    }

    private static long Serial(X509Certificate2 certificate) => Convert.ToInt64(certificate.SerialNumber, 16);

    private static async Task AssertHandshakeFailsAsync(TlsChannel channel)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await channel.Client.ServerReadyAsync(new ServerReadyRequest(), deadline: DateTime.UtcNow.AddSeconds(10)));
        Assert.Contains(ex.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal, StatusCode.Unknown });
    }

    private async Task<(string Certificate, string Key)> StartAsync(bool mutual, long serial = 1)
    {
        using var server = TestCertificates.CreateServer(_ca, serial);
        var (certificate, key) = _files.Write(server, "server");
        var settings = new Dictionary<string, string?>
        {
            ["Server:TlsCertificatePath"] = certificate,
            ["Server:TlsKeyPath"] = key,
        };
        if (mutual)
        {
            settings["Server:TlsMutual"] = "true";
            settings["Server:TlsClientCaPath"] = _files.WriteCa(_ca, "client-ca");
        }

        _server = await RunningServer.StartAsync(_repository.Root, settings);
        return (certificate, key);
    }
}
