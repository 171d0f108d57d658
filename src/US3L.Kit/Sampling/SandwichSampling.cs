using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// The sandwich rule of US-Nets (science.md 4.1): every iteration trains the largest width, the
/// smallest width and <c>Count</c> − 2 widths drawn uniformly from [min, max], sorted in descending
/// order. This is the intended rule {max, min} ∪ (n − 2 uniform) for every n. The reference code
/// prepends [max, min] inside its sampling loop when n ≥ 4 (n = 4 gives six widths with two max
/// steps, quirk 7.3.4); that rule is <see cref="ReferenceSandwichSampling"/>. Every US3L config uses
/// n = 3, where the two agree. A degenerate range (min = max) trains that single width once, which is phase 1 of
/// <see cref="DynamicSamplingA"/>.
/// </summary>
/// <param name="Count">n, the widths per iteration (US3L: 3; US-Nets: 4).</param>
/// <param name="MinWidth">w_lo, the smallest width (US3L: 0.25).</param>
/// <param name="MaxWidth">w_hi, the largest width (1.0).</param>
public sealed record SandwichSampling(int Count = 3, double MinWidth = 0.25, double MaxWidth = 1.0) : WidthSampling
{
    private bool Degenerate => MinWidth == MaxWidth;

    public override double[] Draw(int epoch, SeededRandom random)
    {
        Check(epoch);
        if (Degenerate) return new[] { MaxWidth };
        var widths = new double[Count];
        widths[0] = MaxWidth;
        if (Count > 1) widths[1] = MinWidth;
        for (var i = 2; i < Count; i++) widths[i] = random.NextDouble(MinWidth, MaxWidth);
        return Descending(widths);
    }

    public override double ExpectedPasses(int epoch)
    {
        Check(epoch);
        return Degenerate ? 1 : Count;
    }

    public override double ExpectedCost(int epoch)
    {
        Check(epoch);
        if (Degenerate) return WidthCost.Pass(MaxWidth);
        var cost = WidthCost.Pass(MaxWidth);
        if (Count > 1) cost += WidthCost.Pass(MinWidth);
        return cost + Math.Max(0, Count - 2) * WidthCost.MeanSquareUniform(MinWidth, MaxWidth);
    }

    private void Check(int epoch)
    {
        CheckEpoch(epoch);
        CheckRange(MinWidth, MaxWidth);
        if (Count < 1) throw new ArgumentException($"A sandwich needs at least one width per iteration, got Count = {Count}.");
    }
}
