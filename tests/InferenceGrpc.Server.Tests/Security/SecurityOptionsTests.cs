using InferenceGrpc.Server.Hosting;
using InferenceGrpc.Server.Security;

namespace InferenceGrpc.Server.Tests.Security;

/// <summary>The security flags (tritonserver's names and ours), their start-up checks and the keys file format.</summary>
public sealed class SecurityOptionsTests : IDisposable
{
    private readonly TestCertificates _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Parse_TritonTlsFlags_MapToTheSameKeysAsOurs()
    {
        var triton = CommandLineFlags.Parse(["--grpc-use-ssl", "--grpc-server-cert", "a.crt", "--grpc-server-key", "a.key", "--grpc-use-ssl-mutual=true", "--grpc-root-cert", "ca.pem"]);
        var ours = CommandLineFlags.Parse(["--grpc-tls-cert", "a.crt", "--grpc-tls-key=a.key", "--api-keys-file", "keys", "--authenticate-health"]);

        Assert.Empty(triton.Errors);
        Assert.Equal("true", triton.Values["Server:UseTls"]);
        Assert.Equal("a.crt", triton.Values["Server:TlsCertificatePath"]);
        Assert.Equal("a.key", triton.Values["Server:TlsKeyPath"]);
        Assert.Equal("true", triton.Values["Server:TlsMutual"]);
        Assert.Equal("ca.pem", triton.Values["Server:TlsClientCaPath"]);
        Assert.Empty(ours.Errors);
        Assert.Equal("a.crt", ours.Values["Server:TlsCertificatePath"]);
        Assert.Equal("a.key", ours.Values["Server:TlsKeyPath"]);
        Assert.Equal("keys", ours.Values["Server:ApiKeysFile"]);
        Assert.Equal("true", ours.Values["Server:AuthenticateHealth"]);
    }

    [Theory]
    [InlineData("cert-only", "go together")]
    [InlineData("use-ssl-only", "--grpc-use-ssl needs")]
    [InlineData("mutual-without-ca", "--grpc-use-ssl-mutual needs --grpc-root-cert")]
    [InlineData("ca-without-mutual", "needs --grpc-use-ssl-mutual")]
    [InlineData("missing-files", "--grpc-tls-cert")]
    [InlineData("health-without-keys", "--authenticate-health needs --api-keys-file")]
    [InlineData("missing-keys-file", "--api-keys-file")]
    public void Validate_InconsistentSecuritySettings_NamesTheFlag(string scenario, string expected)
    {
        using var ca = TestCertificates.CreateCa("ca");
        using var server = TestCertificates.CreateServer(ca, 7);
        var (certificate, key) = _files.Write(server, "server");
        var options = new ServerOptions { ModelRepository = _files.Folder };
        switch (scenario)
        {
            case "cert-only": options.TlsCertificatePath = certificate; break;
            case "use-ssl-only": options.UseTls = true; break;
            case "mutual-without-ca": (options.TlsCertificatePath, options.TlsKeyPath, options.TlsMutual) = (certificate, key, true); break;
            case "ca-without-mutual": (options.TlsCertificatePath, options.TlsKeyPath, options.TlsClientCaPath) = (certificate, key, _files.WriteCa(ca, "ca")); break;
            case "missing-files": (options.TlsCertificatePath, options.TlsKeyPath) = ("/nonexistent.crt", "/nonexistent.key"); break;
            case "health-without-keys": options.AuthenticateHealth = true; break;
            case "missing-keys-file": options.ApiKeysFile = "/nonexistent-keys"; break;
        }

        var result = new ServerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CompleteMutualTlsAndKeys_Succeeds()
    {
        using var ca = TestCertificates.CreateCa("ca");
        using var server = TestCertificates.CreateServer(ca, 7);
        var (certificate, key) = _files.Write(server, "server");
        var keys = Path.Combine(_files.Folder, "keys");
        File.WriteAllText(keys, "admin:0123456789abcdef0123\n");
        var options = new ServerOptions
        {
            ModelRepository = _files.Folder,
            UseTls = true,
            TlsCertificatePath = certificate,
            TlsKeyPath = key,
            TlsMutual = true,
            TlsClientCaPath = _files.WriteCa(ca, "ca"),
            ApiKeysFile = keys,
        };

        var result = new ServerOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Load_KeysFile_ReadsRolesAndNeverEchoesAKey()
    {
        var path = Path.Combine(_files.Folder, "keys");
        File.WriteAllText(path, "# comment\nuser-0123456789abcdef\n  admin: admin-0123456789abcdef  \n");
        var keys = new ApiKeys(path);

        Assert.Equal(ApiKeyRole.User, keys.Match("user-0123456789abcdef"));
        Assert.Equal(ApiKeyRole.Admin, keys.Match("admin-0123456789abcdef"));
        Assert.Equal(ApiKeyRole.None, keys.Match("user-0123456789abcde"));
        Assert.Equal(ApiKeyRole.None, keys.Match(string.Empty));

        File.WriteAllText(path, "user-0123456789abcdef\nshort-secret\n");
        var ex = Assert.Throws<FormatException>(() => ApiKeys.Load(path));
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_KeysFileRewritten_UsesTheNewKeys()
    {
        var path = Path.Combine(_files.Folder, "keys");
        File.WriteAllText(path, "first-0123456789abcdef\n");
        var keys = new ApiKeys(path);
        Assert.Equal(ApiKeyRole.User, keys.Match("first-0123456789abcdef"));

        File.WriteAllText(path, "second-0123456789abcdef0\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(ApiKeyRole.None, keys.Match("first-0123456789abcdef"));
        Assert.Equal(ApiKeyRole.User, keys.Match("second-0123456789abcdef0"));
    }
}
