using System.Globalization;

namespace InferenceGrpc.LoadGen.Payload;

/// <summary>
/// Fixes every dimension of a model's inputs. A leading -1 is the batch dimension and takes the batch size; the other
/// dimensions come from <c>--shape name=dims</c> (the dims after the batch dimension), else from built-in defaults,
/// else from the model's own fixed dims. A dimension still unknown is an error that says which flag to pass.
/// </summary>
internal static class InputPlanner
{
    /// <summary>Token inputs of BERT-style models: a dynamic sequence dimension takes <c>--seq</c>.</summary>
    public static readonly IReadOnlySet<string> SequenceInputs =
        new HashSet<string>(["input_ids", "attention_mask", "token_type_ids"], StringComparer.Ordinal);

    /// <summary>Known models whose graphs leave non-batch dims open: (model, input) → dims after the batch dim.</summary>
    private static readonly Dictionary<(string Model, string Input), long[]> KnownShapes = new()
    {
        // PaddleOCR resizes crops to 3×48×192 for this classifier (docs/MODELS.md).
        [("text_direction", "x")] = [3, 48, 192],
    };

    public static IReadOnlyList<long[]> Resolve(
        string model, IReadOnlyList<TensorDescriptor> inputs, int batch, IReadOnlyDictionary<string, long[]> shapes, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        foreach (var name in shapes.Keys)
        {
            if (!inputs.Any(i => i.Name == name))
            {
                throw new ArgumentException(
                    $"--shape names input '{name}', but model '{model}' has inputs [{string.Join(", ", inputs.Select(i => i.Name))}]");
            }
        }

        var resolved = new List<long[]>(inputs.Count);
        foreach (var input in inputs)
        {
            var batches = input.Shape.Length > 0 && input.Shape[0] < 0;
            if (!batches && batch != 1)
            {
                throw new ArgumentException(
                    $"input '{input.Name}' of model '{model}' has no batch dimension (shape {Format(input.Shape)}); use --batch 1");
            }

            var rest = batches ? input.Shape[1..] : input.Shape;
            long[] dims;
            if (shapes.TryGetValue(input.Name, out var given))
            {
                if (given.Length != rest.Length)
                {
                    throw new ArgumentException(
                        $"--shape {input.Name}={string.Join(',', given)} has {given.Length} dims, but input '{input.Name}' has " +
                        $"{rest.Length} after {(batches ? "the batch dimension" : "none")} (model shape {Format(input.Shape)})");
                }

                for (var d = 0; d < rest.Length; d++)
                {
                    if (given[d] < 0 || (rest[d] >= 0 && rest[d] != given[d]))
                    {
                        throw new ArgumentException(
                            $"--shape {input.Name}={string.Join(',', given)} does not fit the model's shape {Format(input.Shape)}");
                    }
                }

                dims = given;
            }
            else if (rest.All(d => d >= 0))
            {
                dims = rest;
            }
            else if (SequenceInputs.Contains(input.Name) && rest.Length == 1)
            {
                dims = [sequenceLength];
            }
            else if (KnownShapes.TryGetValue((model, input.Name), out var known) && Fits(rest, known))
            {
                dims = known;
            }
            else
            {
                throw new ArgumentException(
                    $"input '{input.Name}' of model '{model}' has dynamic dims {Format(input.Shape)}; give them with --shape {input.Name}=d1,d2,...");
            }

            resolved.Add(batches ? [batch, .. dims] : [.. dims]);
        }

        return resolved;
    }

    /// <summary>Parses <c>name=d1,d2,...</c>: the dims after the batch dimension.</summary>
    public static KeyValuePair<string, long[]> ParseShape(string text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new ArgumentException($"--shape '{text}' must look like name=3,48,192");
        }

        var name = text[..equals];
        var dims = text[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries).Select(d =>
            long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new ArgumentException($"--shape '{text}': '{d}' is not a positive whole number")).ToArray();
        return new(name, dims);
    }

    public static string Format(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";

    private static bool Fits(long[] pattern, long[] dims) =>
        pattern.Length == dims.Length && pattern.Zip(dims).All(p => p.First < 0 || p.First == p.Second);
}
