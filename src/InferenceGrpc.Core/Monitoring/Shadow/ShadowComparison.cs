using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Monitoring.Shadow;

/// <summary>
/// How one output of the candidate compares with the primary's.
/// </summary>
/// <param name="Equal">Same datatype, shape and bytes.</param>
/// <param name="MaxAbsDifference">The largest |primary − candidate| over the elements, for numeric outputs (not BOOL)
/// of the same datatype and shape; null otherwise. NaN against NaN counts 0, NaN against a number +∞.</param>
/// <param name="Rows">Rows compared by argmax: outputs whose last dimension is over 1 ("classifier-like"); else 0.</param>
/// <param name="ArgmaxAgreements">Rows of those whose argmax (first highest index) is the same in both.</param>
internal readonly record struct OutputComparison(string Output, bool Equal, double? MaxAbsDifference, int Rows, int ArgmaxAgreements)
{
    /// <summary>Compares each of the primary's outputs with the candidate's output of the same name.</summary>
    public static List<OutputComparison> Compare(IReadOnlyList<CopiedTensor> primary, IReadOnlyList<OutputTensor> candidate)
    {
        var comparisons = new List<OutputComparison>(primary.Count);
        foreach (var expected in primary)
        {
            OutputTensor? actual = null;
            foreach (var output in candidate)
            {
                if (output.Name == expected.Name)
                {
                    actual = output;
                    break;
                }
            }

            comparisons.Add(actual is null ? new(expected.Name, false, null, 0, 0) : Compare(expected, actual));
        }

        return comparisons;
    }

    private static OutputComparison Compare(CopiedTensor expected, OutputTensor actual)
    {
        var a = expected.Data.AsSpan();
        var b = actual.Data.Span;
        var type = expected.DataType;
        if (type != actual.DataType || !expected.Shape.AsSpan().SequenceEqual(actual.Shape) || a.Length != b.Length)
        {
            return new(expected.Name, false, null, 0, 0);
        }

        var equal = a.SequenceEqual(b);
        if (!NumericElements.IsNumeric(type) || type == DataType.Bool)
        {
            return new(expected.Name, equal, null, 0, 0);
        }

        var count = NumericElements.Count(type, a.Length);
        var max = 0.0;
        for (var i = 0; i < count; i++)
        {
            var x = NumericElements.Read(type, a, i);
            var y = NumericElements.Read(type, b, i);
            var difference = double.IsNaN(x) && double.IsNaN(y) ? 0 : double.IsNaN(x) || double.IsNaN(y) ? double.PositiveInfinity : Math.Abs(x - y);
            max = Math.Max(max, difference);
        }

        var width = expected.Shape.Length == 0 ? 1 : expected.Shape[^1];
        if (width <= 1 || count == 0)
        {
            return new(expected.Name, equal, max, 0, 0);
        }

        var rows = (int)(count / width);
        var agreements = 0;
        for (var row = 0; row < rows; row++)
        {
            var start = (int)(row * width);
            agreements += ArgMax(type, a, start, (int)width) == ArgMax(type, b, start, (int)width) ? 1 : 0;
        }

        return new(expected.Name, equal, max, rows, agreements);
    }

    private static int ArgMax(DataType type, ReadOnlySpan<byte> data, int start, int width)
    {
        var best = 0;
        var bestValue = double.NegativeInfinity;
        for (var i = 0; i < width; i++)
        {
            var value = NumericElements.Read(type, data, start + i);
            if (value > bestValue)
            {
                best = i;
                bestValue = value;
            }
        }

        return best;
    }
}
