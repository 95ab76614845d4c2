using System.Text.Json;

namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>
/// Reads and writes baseline.json. The reader is strict: an unknown field, a missing one, a wrong type or an
/// inconsistent histogram is an error naming its path (<c>inputs[0].features[2].bin_edges</c>), what was expected and
/// what came, so a hand-edited file cannot silently measure the wrong thing.
/// </summary>
public static class DriftBaselineJson
{
    /// <summary>Most bins or quantiles one feature may have: a window stores a byte per value for each.</summary>
    public const int MaxPoints = 250;

    private const double SumTolerance = 1e-3;

    /// <exception cref="DriftBaselineException">The text is not a valid baseline.</exception>
    public static DriftBaseline Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new DriftBaselineException($"not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = Object(document.RootElement, "$", "format", "rows", "inputs", "outputs");
            var format = String(root, "$", "format");
            if (format != DriftBaseline.Format)
            {
                throw new DriftBaselineException($"format: expected \"{DriftBaseline.Format}\", got \"{format}\"");
            }

            var rows = (long)Number(root, "$", "rows");
            if (rows < 1)
            {
                throw new DriftBaselineException($"rows: expected 1 or more, got {rows}");
            }

            var inputs = Array(root, "$", "inputs").Select((e, i) => ParseInput(e, $"inputs[{i}]")).ToArray();
            var outputs = root.TryGetProperty("outputs", out _)
                ? Array(root, "$", "outputs").Select((e, i) => ParseOutput(e, $"outputs[{i}]")).ToArray()
                : [];
            Unique(inputs.Select(i => i.Name), "inputs");
            Unique(outputs.Select(o => o.Name), "outputs");
            return new DriftBaseline(rows, inputs, outputs);
        }
    }

    public static string Write(DriftBaseline baseline)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", DriftBaseline.Format);
            w.WriteNumber("rows", baseline.Rows);
            w.WriteStartArray("inputs");
            foreach (var input in baseline.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", input.Name);
                w.WriteStartArray("features");
                foreach (var f in input.Features)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", f.Index);
                    w.WriteNumber("mean", f.Mean);
                    w.WriteNumber("std", f.Std);
                    w.WriteNumber("min", f.Min);
                    w.WriteNumber("max", f.Max);
                    w.WriteNumber("missing_rate", f.MissingRate);
                    WriteNumbers(w, "bin_edges", f.BinEdges);
                    WriteNumbers(w, "bin_proportions", f.BinProportions);
                    WriteNumbers(w, "quantiles", f.Quantiles);
                    WriteNumbers(w, "cdf", f.Cdf);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var output in baseline.Outputs)
            {
                w.WriteStartObject();
                w.WriteString("name", output.Name);
                if (output.Kind == PredictionKind.Classes)
                {
                    w.WriteString("kind", "classes");
                    WriteNumbers(w, "class_proportions", output.BinProportions);
                }
                else
                {
                    w.WriteString("kind", "scores");
                    WriteNumbers(w, "bin_edges", output.BinEdges);
                    WriteNumbers(w, "bin_proportions", output.BinProportions);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static InputBaseline ParseInput(JsonElement element, string path)
    {
        var input = Object(element, path, "name", "features");
        var name = String(input, path, "name");
        var features = Array(input, path, "features").Select((e, i) => ParseFeature(e, $"{path}.features[{i}]")).ToArray();
        if (features.Length == 0)
        {
            throw new DriftBaselineException($"{path}.features: expected at least one feature, got none");
        }

        Unique(features.Select(f => f.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{path}.features (index)");
        return new InputBaseline(name, features);
    }

    private static FeatureBaseline ParseFeature(JsonElement element, string path)
    {
        var f = Object(element, path, "index", "mean", "std", "min", "max", "missing_rate", "bin_edges", "bin_proportions", "quantiles", "cdf");
        var index = Number(f, path, "index");
        if (index < 0 || index != Math.Floor(index) || index > int.MaxValue)
        {
            throw new DriftBaselineException($"{path}.index: expected a non-negative integer, got {index}");
        }

        var min = Number(f, path, "min");
        var max = Number(f, path, "max");
        if (min > max)
        {
            throw new DriftBaselineException($"{path}: expected min <= max, got min {min} and max {max}");
        }

        var std = Number(f, path, "std");
        if (std < 0)
        {
            throw new DriftBaselineException($"{path}.std: expected 0 or more, got {std}");
        }

        var missing = Fraction(f, path, "missing_rate");
        var edges = Increasing(f, path, "bin_edges", allowEmpty: true);
        var proportions = Proportions(f, path, "bin_proportions", edges.Length + 1);
        var quantiles = Increasing(f, path, "quantiles", allowEmpty: false);
        var cdf = Numbers(f, path, "cdf");
        if (cdf.Length != quantiles.Length)
        {
            throw new DriftBaselineException($"{path}.cdf: expected {quantiles.Length} values (one per quantile), got {cdf.Length}");
        }

        for (var i = 0; i < cdf.Length; i++)
        {
            if (cdf[i] is < 0 or > 1 || (i > 0 && cdf[i] < cdf[i - 1]))
            {
                throw new DriftBaselineException($"{path}.cdf[{i}]: expected a non-decreasing fraction in [0, 1], got {cdf[i]}");
            }
        }

        return new FeatureBaseline((int)index, Number(f, path, "mean"), std, min, max, missing, edges, proportions, quantiles, cdf);
    }

    private static OutputBaseline ParseOutput(JsonElement element, string path)
    {
        var kind = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String
            ? k.GetString()
            : null;
        switch (kind)
        {
            case "classes":
            {
                var o = Object(element, path, "name", "kind", "class_proportions");
                var proportions = Numbers(o, path, "class_proportions");
                if (proportions.Length < 2)
                {
                    throw new DriftBaselineException($"{path}.class_proportions: expected 2 or more classes, got {proportions.Length}");
                }

                return OutputBaseline.ForClasses(String(o, path, "name"), Proportions(o, path, "class_proportions", proportions.Length));
            }
            case "scores":
            {
                var o = Object(element, path, "name", "kind", "bin_edges", "bin_proportions");
                var edges = Increasing(o, path, "bin_edges", allowEmpty: true);
                return new OutputBaseline(String(o, path, "name"), PredictionKind.Scores, edges, Proportions(o, path, "bin_proportions", edges.Length + 1));
            }
            default:
                throw new DriftBaselineException($"{path}.kind: expected \"classes\" or \"scores\", got {(kind is null ? "none" : $"\"{kind}\"")}");
        }
    }

    private static JsonElement Object(JsonElement element, string path, params string[] known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DriftBaselineException($"{path}: expected an object, got {element.ValueKind}");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (System.Array.IndexOf(known, property.Name) < 0)
            {
                throw new DriftBaselineException($"{path}.{property.Name}: unknown field (expected one of {string.Join(", ", known)})");
            }
        }

        return element;
    }

    private static JsonElement Required(JsonElement o, string path, string name) =>
        o.TryGetProperty(name, out var value) ? value : throw new DriftBaselineException($"{path}.{name}: required field is missing");

    private static string String(JsonElement o, string path, string name)
    {
        var value = Required(o, path, name);
        return value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
            ? value.GetString()!
            : throw new DriftBaselineException($"{path}.{name}: expected a non-empty string, got {value.ValueKind}");
    }

    private static double Number(JsonElement o, string path, string name)
    {
        var value = Required(o, path, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new DriftBaselineException($"{path}.{name}: expected a finite number, got {value.ValueKind}");
    }

    private static double Fraction(JsonElement o, string path, string name)
    {
        var value = Number(o, path, name);
        return value is >= 0 and <= 1 ? value : throw new DriftBaselineException($"{path}.{name}: expected a fraction in [0, 1], got {value}");
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement o, string path, string name)
    {
        var value = Required(o, path, name);
        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new DriftBaselineException($"{path}.{name}: expected an array, got {value.ValueKind}");
    }

    private static double[] Numbers(JsonElement o, string path, string name)
    {
        var values = Array(o, path, name).Select((e, i) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d)
                ? d
                : throw new DriftBaselineException($"{path}.{name}[{i}]: expected a finite number, got {e.ValueKind}")).ToArray();
        return values.Length <= MaxPoints
            ? values
            : throw new DriftBaselineException($"{path}.{name}: expected at most {MaxPoints} values, got {values.Length}");
    }

    private static double[] Increasing(JsonElement o, string path, string name, bool allowEmpty)
    {
        var values = Numbers(o, path, name);
        if (!allowEmpty && values.Length == 0)
        {
            throw new DriftBaselineException($"{path}.{name}: expected at least one value, got none");
        }

        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] <= values[i - 1])
            {
                throw new DriftBaselineException($"{path}.{name}[{i}]: expected strictly increasing values, got {values[i]} after {values[i - 1]}");
            }
        }

        return values;
    }

    private static double[] Proportions(JsonElement o, string path, string name, int expectedCount)
    {
        var values = Numbers(o, path, name);
        if (values.Length != expectedCount)
        {
            throw new DriftBaselineException($"{path}.{name}: expected {expectedCount} values (one per bin), got {values.Length}");
        }

        if (values.Any(v => v < 0) || Math.Abs(values.Sum() - 1) > SumTolerance)
        {
            throw new DriftBaselineException($"{path}.{name}: expected non-negative fractions summing to 1, got a sum of {values.Sum()}");
        }

        return values;
    }

    private static void Unique(IEnumerable<string> names, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name))
            {
                throw new DriftBaselineException($"{path}: '{name}' appears twice");
            }
        }
    }

    private static void WriteNumbers(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteNumberValue(value);
        }

        w.WriteEndArray();
    }
}
