using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using InferenceGrpc.Server.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace InferenceGrpc.Server.Security;

/// <summary>
/// TLS and mutual TLS on the gRPC listener. The certificate and key (PEM) are read again when the files change,
/// so a rotated certificate serves new connections without a restart; in mutual TLS a client must present a
/// certificate that chains to the CA bundle, else the handshake fails. Without a certificate the listener stays
/// cleartext HTTP/2 (h2c), the default for meshes whose sidecar does mTLS.
/// </summary>
internal static partial class GrpcTls
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Turns on TLS on <paramref name="listen"/> when the options name a certificate.</summary>
    public static void Configure(ListenOptions listen, ServerOptions options)
    {
        if (!options.TlsEnabled || string.IsNullOrWhiteSpace(options.TlsCertificatePath) || string.IsNullOrWhiteSpace(options.TlsKeyPath))
        {
            return;
        }

        var certificate = new ReloadingFile<X509Certificate2>(
            [options.TlsCertificatePath, options.TlsKeyPath],
            () => LoadCertificate(options.TlsCertificatePath, options.TlsKeyPath),
            ex => ReloadFailed(listen, "--grpc-tls-cert/--grpc-tls-key", ex));
        var https = new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => certificate.Current,
            CheckCertificateRevocation = false,
        };

        if (options.TlsMutual && !string.IsNullOrWhiteSpace(options.TlsClientCaPath))
        {
            var path = options.TlsClientCaPath;
            var bundle = new ReloadingFile<X509Certificate2Collection>(
                [path], () => LoadCaBundle(path), ex => ReloadFailed(listen, "--grpc-root-cert", ex));
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (client, _, _) => IsTrustedClient(client, bundle.Current);
        }

        listen.UseHttps(https);
    }

    /// <summary>The certificate and its private key; throws when they are unreadable or do not match.</summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

    /// <summary>The CA certificates of a PEM bundle; throws when it holds none.</summary>
    public static X509Certificate2Collection LoadCaBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        if (bundle.Count == 0)
        {
            throw new CryptographicException($"'{path}' holds no PEM certificate");
        }

        return bundle;
    }

    /// <summary>
    /// Whether <paramref name="client"/> chains to one of the bundle's certificates (and to nothing else: the
    /// system's trust store plays no part), is in its validity period and may authenticate clients.
    /// </summary>
    public static bool IsTrustedClient(X509Certificate2? client, X509Certificate2Collection bundle)
    {
        if (client is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        try
        {
            return chain.Build(client);
        }
        finally
        {
            // The chain's elements are copies.
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    private static void ReloadFailed(ListenOptions listen, string what, Exception ex)
    {
        var factory = listen.ApplicationServices.GetService<ILoggerFactory>();
        if (factory is not null)
        {
            TlsReloadFailed(factory.CreateLogger(typeof(GrpcTls).FullName!), what, ex.Message);
        }
    }

    [LoggerMessage(601, LogLevel.Warning, "TLS: reloading {What} failed ({Reason}); still serving the previous certificates", EventName = "TlsReloadFailed")]
    private static partial void TlsReloadFailed(ILogger logger, string what, string reason);
}
