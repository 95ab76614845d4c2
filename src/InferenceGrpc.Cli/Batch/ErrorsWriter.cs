using System.Buffers;
using System.Text.Json;
using InferenceGrpc.Cli.Formatting;

namespace InferenceGrpc.Cli.Batch;

/// <summary>The errors file: <c>{"row": 7, "status": "INVALID_ARGUMENT", "message": "..."}</c> a line, in row order.</summary>
internal sealed class ErrorsWriter(OutputFile file) : IDisposable
{
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _json = new(Stream.Null, OutputFormatter.WriterOptions);

    public void Write(long row, string status, string message)
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        _json.WriteStartObject();
        _json.WriteNumber("row", row);
        _json.WriteString("status", status);
        _json.WriteString("message", message);
        _json.WriteEndObject();
        _json.Flush();
        file.Stream.Write(_line.WrittenSpan);
        file.Stream.WriteByte((byte)'\n');
    }

    public long Flush() => file.Flush();

    public void Dispose() => file.Dispose();
}
