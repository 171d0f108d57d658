using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// <c>SANDWICH = false</c> (science.md 4.1, quirk 7.3.1): <c>Count</c> widths drawn uniformly from
/// [min, max] and sorted in descending order. The largest <em>drawn</em> width plays the max role
/// (base loss, EMA update) although it is below 1.0; the EMA teacher still runs at 1.0.
/// </summary>
/// <param name="Count">n, the widths per iteration.</param>
/// <param name="MinWidth">Lower end of the range.</param>
/// <param name="MaxWidth">Upper end of the range.</param>
public sealed record UniformSampling(int Count = 3, double MinWidth = 0.25, double MaxWidth = 1.0) : WidthSampling
{
    public override double[] Draw(int epoch, SeededRandom random)
    {
        Check(epoch);
        var widths = new double[Count];
        for (var i = 0; i < Count; i++) widths[i] = random.NextDouble(MinWidth, MaxWidth);
        return Descending(widths);
    }

    public override double ExpectedPasses(int epoch)
    {
        Check(epoch);
        return Count;
    }

    public override double ExpectedCost(int epoch)
    {
        Check(epoch);
        return Count * WidthCost.MeanSquareUniform(MinWidth, MaxWidth);
    }

    private void Check(int epoch)
    {
        CheckEpoch(epoch);
        CheckRange(MinWidth, MaxWidth);
        if (Count < 1) throw new ArgumentException($"Uniform sampling needs at least one width per iteration, got Count = {Count}.");
    }
}
