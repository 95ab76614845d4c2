namespace InferenceGrpc.Core.Monitoring.Drift;

/// <summary>The figures of one evaluation, published whole so the exporter never reads half of one.</summary>
public sealed class DriftFigures
{
    public DriftFigures(int windowRows, int features, int outputs)
    {
        WindowRows = windowRows;
        Labels = new string[features];
        Psi = new double[features];
        Ks = new double[features];
        NanRatio = new double[features];
        OutOfRangeRatio = new double[features];
        OutputNames = new string[outputs];
        PredictionPsi = new double[outputs];
    }

    public int WindowRows { get; }

    /// <summary>Exported feature labels; the last is "_rest" (maxima of the others) when there are more than the cap.</summary>
    public string[] Labels { get; }

    public double[] Psi { get; }

    public double[] Ks { get; }

    public double[] NanRatio { get; }

    public double[] OutOfRangeRatio { get; }

    public string[] OutputNames { get; }

    public double[] PredictionPsi { get; }

    /// <summary>Sets series <paramref name="at"/>; the "_rest" series keeps the maximum of what it is given.</summary>
    internal void Set(int at, string label, double psi, double ks, double nan, double oor)
    {
        var merge = Labels[at] is not null;
        Labels[at] = label;
        Psi[at] = merge ? Math.Max(Psi[at], psi) : psi;
        Ks[at] = merge ? Math.Max(Ks[at], ks) : ks;
        NanRatio[at] = merge ? Math.Max(NanRatio[at], nan) : nan;
        OutOfRangeRatio[at] = merge ? Math.Max(OutOfRangeRatio[at], oor) : oor;
    }
}
