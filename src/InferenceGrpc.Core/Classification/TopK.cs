using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Classification;

/// <summary>
/// Triton's classification extension, the pure part: the k highest values of a row of class scores as
/// "value:index[:label]" strings. As Triton: values compare in the output's own datatype; a row of fewer than k
/// classes gives them all; floating-point values print as C's <c>%f</c> (six decimals, "0.982350"), integers as
/// they are. Where Triton's unstable sort leaves ties in any order, the lower index comes first, and NaN ranks below
/// every number.
/// </summary>
public static class TopK
{
    /// <summary>The datatypes Triton classifies: every integer type, FP32 and FP64.</summary>
    public static bool Supports(DataType type) => type is DataType.UInt8 or DataType.UInt16 or DataType.UInt32 or DataType.UInt64
        or DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64 or DataType.Fp32 or DataType.Fp64;

    /// <summary>
    /// Classifies each of <paramref name="rows"/> rows of <paramref name="data"/> (the raw little-endian elements of
    /// <paramref name="type"/>). Returns the strings row after row, <c>min(k, classes per row)</c> per row.
    /// </summary>
    /// <exception cref="ArgumentException">The datatype is not one <see cref="Supports"/> accepts.</exception>
    public static string[] Classify(DataType type, ReadOnlySpan<byte> data, int rows, int k, IReadOnlyList<string>? labels) => type switch
    {
        DataType.UInt8 => Classify(MemoryMarshal.Cast<byte, byte>(data), rows, k, labels),
        DataType.UInt16 => Classify(MemoryMarshal.Cast<byte, ushort>(data), rows, k, labels),
        DataType.UInt32 => Classify(MemoryMarshal.Cast<byte, uint>(data), rows, k, labels),
        DataType.UInt64 => Classify(MemoryMarshal.Cast<byte, ulong>(data), rows, k, labels),
        DataType.Int8 => Classify(MemoryMarshal.Cast<byte, sbyte>(data), rows, k, labels),
        DataType.Int16 => Classify(MemoryMarshal.Cast<byte, short>(data), rows, k, labels),
        DataType.Int32 => Classify(MemoryMarshal.Cast<byte, int>(data), rows, k, labels),
        DataType.Int64 => Classify(MemoryMarshal.Cast<byte, long>(data), rows, k, labels),
        DataType.Fp32 => Classify(MemoryMarshal.Cast<byte, float>(data), rows, k, labels),
        DataType.Fp64 => Classify(MemoryMarshal.Cast<byte, double>(data), rows, k, labels),
        _ => throw new ArgumentException($"class results are not available for datatype {type.ToWireName()}", nameof(type)),
    };

    /// <summary>The top <paramref name="k"/> of each row; see <see cref="Classify(DataType, ReadOnlySpan{byte}, int, int, IReadOnlyList{string}?)"/>.</summary>
    public static string[] Classify<T>(ReadOnlySpan<T> values, int rows, int k, IReadOnlyList<string>? labels)
        where T : unmanaged, INumber<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var classes = values.Length / rows;
        var count = Math.Min(k, classes);
        var result = new string[rows * count];
        var order = new int[classes];
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * classes, classes);
            Rank(row, order);
            for (var c = 0; c < count; c++)
            {
                var index = order[c];
                var text = Format(row[index]) + ":" + index.ToString(CultureInfo.InvariantCulture);
                result[(r * count) + c] = labels is not null && index < labels.Count ? text + ":" + labels[index] : text;
            }
        }

        return result;
    }

    /// <summary>Fills <paramref name="order"/> with the row's indices, highest value first, ties by index.</summary>
    private static void Rank<T>(ReadOnlySpan<T> row, int[] order)
        where T : unmanaged, INumber<T>
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var copy = row.ToArray();
        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (copy[a], copy[b]);
            var xNan = T.IsNaN(x);
            var yNan = T.IsNaN(y);
            if (xNan || yNan)
            {
                return xNan == yNan ? a.CompareTo(b) : xNan ? 1 : -1;
            }

            var byValue = y.CompareTo(x);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
    }

    /// <summary>As C++'s <c>std::to_string</c>: <c>%f</c> for floating point, the plain number for integers.</summary>
    private static string Format<T>(T value)
        where T : unmanaged, INumber<T>
    {
        double? real = value switch
        {
            float f => f,
            double d => d,
            _ => null,
        };

        if (real is not { } v)
        {
            return value.ToString(null, CultureInfo.InvariantCulture);
        }

        if (double.IsNaN(v))
        {
            return double.IsNegative(v) ? "-nan" : "nan";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "inf" : "-inf";
        }

        return v.ToString("F6", CultureInfo.InvariantCulture);
    }
}
