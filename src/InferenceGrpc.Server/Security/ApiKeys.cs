using System.Security.Cryptography;
using System.Text;

namespace InferenceGrpc.Server.Security;

/// <summary>What a presented key may do.</summary>
internal enum ApiKeyRole
{
    None = 0,
    User = 1,
    Admin = 2,
}

/// <summary>
/// The static API keys of <c>--api-keys-file</c>: one key a line, <c>admin:</c> before a key that may also load and
/// unload models; blank lines and lines starting with <c>#</c> are skipped. Only SHA-256 digests of the keys are
/// kept, and a presented key is compared with every one of them in constant time, so neither the time taken nor
/// the key's length tells which key (or which prefix) came close. The file is read again when it changes.
/// </summary>
internal sealed class ApiKeys
{
    private const string AdminPrefix = "admin:";

    private readonly ReloadingFile<Entry[]>? _entries;
    private readonly Action<Exception>? _onLoadFailed;

    public ApiKeys(string? path, Action<Exception>? onReloadFailed = null)
    {
        _onLoadFailed = onReloadFailed;
        if (!string.IsNullOrWhiteSpace(path))
        {
            _entries = new ReloadingFile<Entry[]>([path], () => Load(path), onReloadFailed);
        }
    }

    /// <summary>Whether keys are configured (authentication is on).</summary>
    public bool Enabled => _entries is not null;

    public ApiKeyRole Match(string presented)
    {
        if (_entries is null)
        {
            return ApiKeyRole.None;
        }

        Entry[] entries;
        try
        {
            entries = _entries.Current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // No good keys ever loaded (the file broke between the start-up check and the first call): fail closed.
            _onLoadFailed?.Invoke(ex);
            return ApiKeyRole.None;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        var role = 0;
        foreach (var entry in entries)
        {
            // No early exit: every key is compared whatever matched before.
            var equal = CryptographicOperations.FixedTimeEquals(digest, entry.Digest);
            role |= (equal ? 1 : 0) * (int)entry.Role;
        }

        return (role & (int)ApiKeyRole.Admin) != 0 ? ApiKeyRole.Admin : (ApiKeyRole)role;
    }

    /// <summary>Reads and checks a keys file; throws <see cref="FormatException"/> naming the line (never the key) of a bad entry.</summary>
    public static Entry[] Load(string path)
    {
        var entries = new List<Entry>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var role = ApiKeyRole.User;
            if (line.StartsWith(AdminPrefix, StringComparison.Ordinal))
            {
                role = ApiKeyRole.Admin;
                line = line[AdminPrefix.Length..].Trim();
            }

            if (line.Length < 16 || line.Any(char.IsWhiteSpace))
            {
                throw new FormatException($"'{path}' line {lineNumber}: a key must be at least 16 characters without spaces");
            }

            entries.Add(new Entry(SHA256.HashData(Encoding.UTF8.GetBytes(line)), role));
        }

        if (entries.Count == 0)
        {
            throw new FormatException($"'{path}' holds no key");
        }

        return [.. entries];
    }

    internal sealed record Entry(byte[] Digest, ApiKeyRole Role);
}
