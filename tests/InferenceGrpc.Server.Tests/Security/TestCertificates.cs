using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace InferenceGrpc.Server.Tests.Security;

/// <summary>Test PKI built in memory: self-signed CAs, server and client certificates, written as PEM files to a temp folder.</summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public TestCertificates()
    {
        Folder = Path.Combine(Path.GetTempPath(), "igrpc-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public static X509Certificate2 CreateServer(X509Certificate2 ca, long serial) => Issue(ca, "CN=localhost", ServerAuth, serial, server: true);

    public static X509Certificate2 CreateClient(X509Certificate2 ca, string name = "test-client") => Issue(ca, $"CN={name}", ClientAuth, Random.Shared.NextInt64(1, long.MaxValue), server: false);

    /// <summary>Writes the certificate and its key as PEM; returns (certificate path, key path).</summary>
    public (string Certificate, string Key) Write(X509Certificate2 certificate, string name)
    {
        var certificatePath = Path.Combine(Folder, name + ".crt");
        var keyPath = Path.Combine(Folder, name + ".key");
        Replace(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no private key");
        Replace(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    public string WriteCa(X509Certificate2 ca, string name)
    {
        var path = Path.Combine(Folder, name + ".pem");
        Replace(path, ca.ExportCertificatePem());
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // As a rotation does: write beside, then rename over the old file.
    private static void Replace(string path, string contents)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, contents);
        File.Move(temporary, path, overwrite: true);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, Oid usage, long serial, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serialBytes = BitConverter.GetBytes(serial);
        Array.Reverse(serialBytes);
        serialBytes[0] &= 0x7F;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serialBytes);
        return issued.CopyWithPrivateKey(key);
    }
}
