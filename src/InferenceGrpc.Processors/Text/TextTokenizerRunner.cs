using System.Buffers;
using System.Text.Unicode;
using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Execution;

namespace InferenceGrpc.Processors.Text;

/// <summary>
/// BYTES [batch, 1] of UTF-8 text → INT64 input_ids, attention_mask, token_type_ids [batch, longest]: each row is
/// [start] tokens [end], cut to max_length (the end token kept), and padded with the pad id and mask 0 to the longest
/// row of the batch (or max_length), rounded up to pad_to_multiple_of. So a request batched with a longer one gets
/// extra padding columns, which a model that honours the attention mask ignores.
/// </summary>
internal sealed class TextTokenizerRunner : IModelRunner
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    private readonly TextEncoder _encoder;
    private readonly TokenizerSettings _settings;

    public TextTokenizerRunner(TextEncoder encoder, TokenizerSettings settings)
    {
        _encoder = encoder;
        _settings = settings;
        Graph = new ModelGraph(
            [new TensorSpec(settings.InputName, DataType.Bytes, [-1, 1])],
            [
                new TensorSpec(InputIds, DataType.Int64, [-1, -1]),
                new TensorSpec(AttentionMask, DataType.Int64, [-1, -1]),
                new TensorSpec(TokenTypeIds, DataType.Int64, [-1, -1]),
            ]);
    }

    public ModelGraph Graph { get; }

    public string Device => "CPU";

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var input = ProcessorInputs.Find(inputs, _settings.InputName);
        var rows = checked((int)input.Shape[0]);
        var encoded = new IReadOnlyList<int>[rows];
        var longest = 0;
        var maxContent = _settings.MaxLength - _encoder.SpecialCount;
        var chars = ArrayPool<char>.Shared.Rent(256);
        try
        {
            var row = 0;
            foreach (var element in BytesTensor.Enumerate(input.Data.Span))
            {
                if (row == rows)
                {
                    break;
                }

                if (chars.Length < element.Length)
                {
                    ArrayPool<char>.Shared.Return(chars);
                    chars = ArrayPool<char>.Shared.Rent(element.Length);
                }

                // UTF-8 never needs more UTF-16 units than bytes; invalid text is the caller's error, not replaced.
                if (Utf8.ToUtf16(element, chars, out _, out var written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
                {
                    throw new InferenceException(InferenceErrorKind.InvalidArgument,
                        $"input '{_settings.InputName}' element {row} is not valid UTF-8 text");
                }

                if (_encoder.FoldAccents)
                {
                    AccentFolding.Fold(chars.AsSpan(0, written));
                }

                var ids = _encoder.Encode(chars.AsSpan(0, written), maxContent);
                encoded[row] = ids;
                longest = Math.Max(longest, ids.Count + _encoder.SpecialCount);
                row++;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        longest = PaddedLength(longest);
        var buffers = new OutputBuffers();
        try
        {
            long[] shape = [rows, longest];
            var produced = new List<OutputTensor>(3);
            var idsOut = buffers.RentZeroed<long>(InputIds, DataType.Int64, shape, produced);
            var mask = buffers.RentZeroed<long>(AttentionMask, DataType.Int64, shape, produced);
            buffers.RentZeroed<long>(TokenTypeIds, DataType.Int64, shape, produced);   // one segment: all zeros
            for (var r = 0; r < rows; r++)
            {
                var line = idsOut.Slice(r * longest, longest);
                var length = Write(encoded[r], line);
                mask.Slice(r * longest, length).Fill(1);
                if (_encoder.PadId != 0)
                {
                    line[length..].Fill(_encoder.PadId);
                }
            }

            return new RunResult(ProcessorInputs.InOrder(produced, outputNames), buffers);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    /// <summary>The batch's width: its longest row, or max_length, rounded up to pad_to_multiple_of (never past max_length).</summary>
    private int PaddedLength(int longest)
    {
        if (_settings.PadToMaxLength)
        {
            return _settings.MaxLength;
        }

        var multiple = _settings.PadToMultipleOf;
        var rounded = (longest + multiple - 1) / multiple * multiple;
        return Math.Min(Math.Max(rounded, longest), Math.Max(_settings.MaxLength, longest));
    }

    private int Write(IReadOnlyList<int> ids, Span<long> line)
    {
        var n = 0;
        if (_encoder.StartId is { } start)
        {
            line[n++] = start;
        }

        for (var i = 0; i < ids.Count; i++)
        {
            line[n++] = ids[i];
        }

        if (_encoder.EndId is { } end)
        {
            line[n++] = end;
        }

        return n;
    }

    public void Dispose()
    {
    }
}
