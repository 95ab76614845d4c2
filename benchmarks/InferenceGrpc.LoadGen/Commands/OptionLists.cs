using System.Globalization;

namespace InferenceGrpc.LoadGen.Commands;

/// <summary>Comma-separated flag values: <c>--concurrency 1,8,32,128</c>.</summary>
internal static class OptionLists
{
    public static int[] PositiveInts(string flag, string text) =>
        Split(text).Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{flag}: '{v}' is not a positive whole number")).ToArray();

    public static double[] PositiveDoubles(string flag, string text) =>
        Split(text).Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"{flag}: '{v}' is not a positive number")).ToArray();

    public static TimeSpan Seconds(string flag, double seconds, bool allowZero = false) =>
        seconds > 0 || (allowZero && seconds == 0)
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{flag}: {seconds.ToString(CultureInfo.InvariantCulture)} must be {(allowZero ? "0 or more" : "more than 0")} seconds");

    private static string[] Split(string text)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return values.Length > 0 ? values : throw new ArgumentException($"'{text}' is an empty list");
    }
}
