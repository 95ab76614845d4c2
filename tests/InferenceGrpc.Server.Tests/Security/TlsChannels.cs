using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace InferenceGrpc.Server.Tests.Security;

/// <summary>TLS channels to a test server: trusting only a given CA, optionally presenting a client certificate.</summary>
internal sealed class TlsChannel : IDisposable
{
    private TlsChannel(GrpcChannel channel)
    {
        Channel = channel;
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    /// <summary>The certificate the server presented on the last handshake.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    public static string HttpsAddress(WebApplication app)
    {
        // With a certificate configured the server reports its gRPC address as https://.
        var address = ServerHost.GrpcAddress(app) ?? throw new InvalidOperationException("the server bound no address");
        Assert.StartsWith("https://", address, StringComparison.Ordinal);
        return address;
    }

    /// <summary>A new channel (its own connection) to <paramref name="app"/>.</summary>
    public static TlsChannel Open(WebApplication app, X509Certificate2 trustedCa, X509Certificate2? clientCertificate = null)
    {
        TlsChannel? result = null;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    var server = new X509Certificate2(certificate);
                    result!.ServerCertificate = server;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(server);
                },
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        var channel = GrpcChannel.ForAddress(HttpsAddress(app), new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        result = new TlsChannel(channel);
        return result;
    }

    public void Dispose() => Channel.Dispose();
}
