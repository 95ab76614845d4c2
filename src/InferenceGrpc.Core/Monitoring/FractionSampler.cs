namespace InferenceGrpc.Core.Monitoring;

/// <summary>
/// Takes exactly <see cref="Fraction"/> of the calls over time, deterministically: the n-th call is taken when
/// floor(n × fraction) steps up (1.0 takes all, 0.25 every fourth). One interlocked increment, no lock, no
/// random numbers, and tests can count on it.
/// </summary>
internal sealed class FractionSampler(double fraction)
{
    private long _seen;

    public double Fraction { get; } = fraction;

    public bool Next()
    {
        var n = Interlocked.Increment(ref _seen);
        return Math.Floor(n * Fraction) > Math.Floor((n - 1) * Fraction);
    }
}
