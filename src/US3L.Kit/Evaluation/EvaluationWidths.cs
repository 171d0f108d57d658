namespace US3L.Evaluation;

/// <summary>The widths at which a universally slimmable network is evaluated.</summary>
public static class EvaluationWidths
{
    /// <summary>
    /// 0.25, 0.275, ..., 1.0: the 31-point list of the code's evaluation (science.md 1.2 and 6.4),
    /// for accuracy-vs-width and accuracy-vs-FLOPs curves.
    /// </summary>
    public static IReadOnlyList<double> Curve { get; } = Range(0.25, 1.0, 0.025);

    /// <summary>1.0, 0.75, 0.5, 0.25: the widths the paper's tables report (science.md 6.4, 8.1).</summary>
    public static IReadOnlyList<double> Table { get; } = new[] { 1.0, 0.75, 0.5, 0.25 };

    /// <summary>
    /// min, min + step, ..., max (inclusive when max is on the grid). Each value is computed as
    /// min + i·step and rounded to 6 decimals, so the list holds 0.3, not 0.30000000000000004, and
    /// the widths print and compare as written.
    /// </summary>
    public static IReadOnlyList<double> Range(double min, double max, double step)
    {
        if (!(min > 0) || !(max >= min) || double.IsInfinity(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"Widths need 0 < min <= max (finite), got min = {min}, max = {max}.");
        if (!(step > 0)) throw new ArgumentOutOfRangeException(nameof(step), $"The width step must be positive, got {step}.");
        // The tolerance keeps max itself when (max - min)/step is an integer up to rounding.
        var count = (int)Math.Floor((max - min) / step + 1e-9) + 1;
        var widths = new double[count];
        for (var i = 0; i < count; i++) widths[i] = Math.Round(min + i * step, 6);
        return widths;
    }
}
