namespace US3L.Sampling;

/// <summary>
/// The cost arithmetic of science.md 4.2. The unit is one full-width forward + backward; a
/// width-w pass costs w² of it (both channel counts of every conv scale with w). The teacher
/// forward is paid once per iteration by every scheme and is left out.
/// </summary>
public static class WidthCost
{
    /// <summary>Cost of one pass at width <paramref name="w"/>: w².</summary>
    public static double Pass(double w) => w * w;

    /// <summary>
    /// E[w²] for w ~ U(a, b): (b³ − a³)/(3(b − a)); for b = 1 this is science.md's
    /// (1 − a³)/(3(1 − a)). A degenerate range a = b gives a².
    /// </summary>
    public static double MeanSquareUniform(double a, double b)
    {
        if (a > b) throw new ArgumentException($"The range must have a ≤ b, got [{a}, {b}].");
        return a == b ? a * a : (b * b * b - a * a * a) / (3 * (b - a));
    }
}
