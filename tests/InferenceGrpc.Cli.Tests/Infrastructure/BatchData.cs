using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace InferenceGrpc.Cli.Tests.Infrastructure;

/// <summary>Test data and file formats, written and read here independently of the code under test.</summary>
internal static class Data
{
    public static float[][] Rows(int count, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, width).Select(_ => (float)Math.Round(random.NextDouble() * 20 - 10, 3)).ToArray())
            .ToArray();
    }

    public static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string JsonlLine(string input, float[] row) => $"{{\"{input}\": [{string.Join(", ", row.Select(Text))}]}}";

    public static string WriteJsonl(string path, float[][] rows, string input)
    {
        File.WriteAllLines(path, rows.Select(r => JsonlLine(input, r)));
        return path;
    }

    public static string WriteNpy(string path, float[][] rows)
    {
        var data = rows.SelectMany(r => r).SelectMany(BitConverter.GetBytes).ToArray();
        File.WriteAllBytes(path, NpyFile.Build(NpyFile.Header("<f4", $"({rows.Length}, {rows[0].Length})"), data));
        return path;
    }

    public static float[] Floats(byte[] raw)
    {
        var values = new float[raw.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4));
        }

        return values;
    }

    public static List<(long Row, Dictionary<string, float[]> Outputs)> ReadJsonl(string path) =>
        File.ReadAllLines(path, Encoding.UTF8).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var outputs = json.RootElement.EnumerateObject().Where(p => p.Name != "row")
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray());
            return (json.RootElement.GetProperty("row").GetInt64(), outputs);
        }).ToList();
}
