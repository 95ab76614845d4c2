using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring.Capture;

/// <summary>
/// Serialises a <see cref="CaptureRecord"/> as one JSON line (docs/CAPTURE.md has the schema). Numbers as JSON
/// numbers (FP16/BF16 widened; NaN and infinities as the strings "NaN", "Infinity", "-Infinity", which JSON lacks),
/// BOOL as true/false, BYTES as UTF-8 strings, or base64 strings with <c>"encoding":"base64"</c> when an element is
/// not valid UTF-8; hashed tensors as hex SHA-256 strings with <c>"redaction":"hash"</c>.
/// </summary>
/// <remarks>Precondition: the writer task only (one instance, not thread-safe).</remarks>
internal sealed class CaptureLine : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _salt;
    private byte[] _hashInput = [];

    public CaptureLine(string salt)
    {
        _salt = Encoding.UTF8.GetBytes(salt);
        // Relaxed escaping: the files are data, never HTML, and readable text beats \u-escaped non-ASCII.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
    }

    /// <summary>The record as UTF-8 JSON ending in '\n'; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Write(CaptureRecord record)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("model", record.Settings.Model);
        _json.WriteNumber("version", record.Settings.Version);
        _json.WriteString("request_id", record.RequestId);
        _json.WriteString("timestamp", record.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        _json.WriteNumber("latency_ms", record.Latency.TotalMilliseconds);
        WriteTensors("inputs", record.Inputs, record.Settings.RawNumbers);
        WriteTensors("outputs", record.Outputs, record.Settings.RawNumbers);
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        return _buffer.WrittenMemory;
    }

    public void Dispose() => _json.Dispose();

    private void WriteTensors(string property, IReadOnlyList<CapturedTensor> tensors, bool rawNumbers)
    {
        _json.WriteStartArray(property);
        foreach (var (tensor, rule) in tensors)
        {
            _json.WriteStartObject();
            _json.WriteString("name", tensor.Name);
            _json.WriteString("datatype", tensor.DataType.ToWireName());
            _json.WriteStartArray("shape");
            foreach (var dim in tensor.Shape)
            {
                _json.WriteNumberValue(dim);
            }

            _json.WriteEndArray();
            if (rule == Redaction.Hash)
            {
                _json.WriteString("redaction", "hash");
                WriteHashes(tensor);
            }
            else if (tensor.DataType == DataType.Bytes)
            {
                WriteStrings(tensor.Data);
            }
            else if (rawNumbers)
            {
                // Row-major little-endian, as raw_input_contents: numpy.frombuffer(base64.b64decode(d), "<f4").
                _json.WriteString("encoding", "raw");
                _json.WriteBase64String("data", tensor.Data);
            }
            else
            {
                WriteNumbers(tensor.DataType, tensor.Data);
            }

            _json.WriteEndObject();
        }

        _json.WriteEndArray();
    }

    private void WriteNumbers(DataType type, ReadOnlySpan<byte> data)
    {
        _json.WriteStartArray("data");
        if (type == DataType.Fp32)
        {
            // The common case, and the costly one (a float's shortest form is most of the writer's time): no
            // per-element dispatch. The server runs on little-endian processors only (ServerHost checks).
            foreach (var value in MemoryMarshal.Cast<byte, float>(data))
            {
                WriteFloat(value);
            }

            _json.WriteEndArray();
            return;
        }

        var count = NumericElements.Count(type, data.Length);
        for (var i = 0; i < count; i++)
        {
            switch (type)
            {
                case DataType.Bool:
                    _json.WriteBooleanValue(data[i] != 0);
                    break;
                case DataType.Int64:
                    _json.WriteNumberValue(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]));
                    break;
                case DataType.UInt64:
                    _json.WriteNumberValue(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]));
                    break;
                default:
                    // Every other type fits a double exactly (FP16, BF16, 8- to 32-bit integers, FP64 itself).
                    WriteDouble(NumericElements.Read(type, data, i));
                    break;
            }
        }

        _json.WriteEndArray();
    }

    // FP32 written as FP32 (shortest round-trip form), not widened: 0.1f stays 0.1, not 0.10000000149011612.
    private void WriteFloat(float value)
    {
        if (float.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _json.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private void WriteDouble(double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _json.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private void WriteStrings(ReadOnlySpan<byte> data)
    {
        var utf8 = true;
        foreach (var element in BytesTensor.Enumerate(data))
        {
            utf8 &= System.Text.Unicode.Utf8.IsValid(element);
        }

        if (!utf8)
        {
            _json.WriteString("encoding", "base64");
        }

        _json.WriteStartArray("data");
        foreach (var element in BytesTensor.Enumerate(data))
        {
            if (utf8)
            {
                _json.WriteStringValue(element);
            }
            else
            {
                _json.WriteBase64StringValue(element);
            }
        }

        _json.WriteEndArray();
    }

    private void WriteHashes(CopiedTensor tensor)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        _json.WriteStartArray("data");
        if (tensor.DataType == DataType.Bytes)
        {
            foreach (var element in BytesTensor.Enumerate(tensor.Data))
            {
                WriteHash(element, hash, hex);
            }
        }
        else
        {
            var size = tensor.DataType.ElementSize();
            for (var offset = 0; offset + size <= tensor.Data.Length; offset += size)
            {
                WriteHash(tensor.Data.AsSpan(offset, size), hash, hex);
            }
        }

        _json.WriteEndArray();
    }

    private void WriteHash(ReadOnlySpan<byte> element, Span<byte> hash, Span<char> hex)
    {
        var length = _salt.Length + element.Length;
        if (_hashInput.Length < length)
        {
            _hashInput = new byte[Math.Max(length, _hashInput.Length * 2)];
        }

        _salt.CopyTo(_hashInput, 0);
        element.CopyTo(_hashInput.AsSpan(_salt.Length));
        SHA256.HashData(_hashInput.AsSpan(0, length), hash);
        Convert.TryToHexStringLower(hash, hex, out _);
        _json.WriteStringValue(hex);
    }
}
