using System.Security.Cryptography;
using InferenceGrpc.Server.Hosting;

namespace InferenceGrpc.Server.Security;

/// <summary>The start-up checks of the TLS and API-key settings: files present and parseable, flags consistent.</summary>
internal static class SecurityOptionsValidation
{
    public static void Validate(ServerOptions o, List<string> errors)
    {
        var hasCert = !string.IsNullOrWhiteSpace(o.TlsCertificatePath);
        var hasKey = !string.IsNullOrWhiteSpace(o.TlsKeyPath);
        if (hasCert != hasKey)
        {
            errors.Add("--grpc-tls-cert (--grpc-server-cert) and --grpc-tls-key (--grpc-server-key) go together");
        }
        else if (o.UseTls && !hasCert)
        {
            errors.Add("--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key");
        }
        else if (hasCert)
        {
            try
            {
                GrpcTls.LoadCertificate(o.TlsCertificatePath!, o.TlsKeyPath!).Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"--grpc-tls-cert '{o.TlsCertificatePath}' / --grpc-tls-key '{o.TlsKeyPath}': {ex.Message}");
            }
        }

        var hasCa = !string.IsNullOrWhiteSpace(o.TlsClientCaPath);
        if (o.TlsMutual && (!hasCa || !hasCert))
        {
            errors.Add("--grpc-use-ssl-mutual needs --grpc-root-cert and a server certificate (--grpc-tls-cert, --grpc-tls-key)");
        }
        else if (hasCa && !o.TlsMutual)
        {
            errors.Add("--grpc-root-cert is the CA bundle for client certificates: it needs --grpc-use-ssl-mutual");
        }
        else if (hasCa)
        {
            try
            {
                foreach (var certificate in GrpcTls.LoadCaBundle(o.TlsClientCaPath!))
                {
                    certificate.Dispose();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                errors.Add($"--grpc-root-cert '{o.TlsClientCaPath}': {ex.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(o.ApiKeysFile))
        {
            try
            {
                _ = ApiKeys.Load(o.ApiKeysFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                errors.Add($"--api-keys-file: {ex.Message}");
            }
        }
        else if (o.AuthenticateHealth)
        {
            errors.Add("--authenticate-health needs --api-keys-file");
        }
    }
}
