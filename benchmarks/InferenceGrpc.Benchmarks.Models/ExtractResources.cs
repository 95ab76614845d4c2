// Extracts embedded (manifest) resources from a .NET assembly without loading it:
// System.Reflection.Metadata reads the PE file, so the assembly is neither executed nor locked.
//
//   InferenceGrpc.Benchmarks.Models <assembly> <resource>=<destination>[;lf] ...
//
// ";lf" converts CRLF line ends to LF (text resources only).
// The build of this project runs it; see InferenceGrpc.Benchmarks.Models.csproj.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: InferenceGrpc.Benchmarks.Models <assembly> <resource>=<destination>[;lf] ...");
    return 2;
}

var assemblyPath = args[0];
using var stream = new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.Read);
using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
var corHeader = pe.PEHeaders.CorHeader;
if (!pe.HasMetadata || corHeader is null
    || !pe.PEHeaders.TryGetDirectoryOffset(corHeader.ResourcesDirectory, out var resourcesOffset))
{
    Console.Error.WriteLine($"error: {assemblyPath} is not a .NET assembly with embedded resources.");
    return 1;
}

var metadata = pe.GetMetadataReader();
var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
foreach (var handle in metadata.ManifestResources)
{
    var resource = metadata.GetManifestResource(handle);
    if (resource.Implementation.IsNil) // embedded in this file, not linked from another
    {
        offsets[metadata.GetString(resource.Name)] = resourcesOffset + resource.Offset;
    }
}

foreach (var spec in args.Skip(1))
{
    var eq = spec.IndexOf('=');
    if (eq <= 0)
    {
        Console.Error.WriteLine($"error: expected <resource>=<destination>[;lf], got '{spec}'.");
        return 2;
    }
    var name = spec[..eq];
    var destination = spec[(eq + 1)..];
    var toLf = destination.EndsWith(";lf", StringComparison.Ordinal);
    if (toLf)
    {
        destination = destination[..^3];
    }
    if (!offsets.TryGetValue(name, out var offset))
    {
        Console.Error.WriteLine($"error: {assemblyPath} has no embedded resource '{name}'; it has: {string.Join(", ", offsets.Keys)}.");
        return 1;
    }

    // Each embedded resource is a little-endian UInt32 length followed by the bytes.
    stream.Position = offset;
    var lengthBytes = new byte[4];
    stream.ReadExactly(lengthBytes);
    var length = BitConverter.ToUInt32(lengthBytes);
    if (offset + 4 + length > stream.Length)
    {
        Console.Error.WriteLine($"error: resource '{name}' runs past the end of {assemblyPath}.");
        return 1;
    }

    destination = Path.GetFullPath(destination);
    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
    var temp = destination + ".tmp";
    using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
    {
        if (toLf)
        {
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            var lf = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal));
            output.Write(lf);
        }
        else
        {
            var buffer = new byte[1 << 20];
            long remaining = length;
            while (remaining > 0)
            {
                var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (read <= 0)
                {
                    throw new EndOfStreamException($"resource '{name}' is truncated");
                }
                output.Write(buffer, 0, read);
                remaining -= read;
            }
        }
    }
    File.Move(temp, destination, overwrite: true);
    Console.WriteLine($"{name} -> {destination} ({new FileInfo(destination).Length:N0} bytes)");
}
return 0;
