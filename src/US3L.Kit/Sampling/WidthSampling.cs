using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// A rule that picks the widths trained in one iteration (science.md 4). Rules are data, so an
/// ablation of the sampling is a row of a table: <see cref="SandwichSampling"/>,
/// <see cref="UniformSampling"/>, <see cref="FixedWidths"/> and <see cref="DynamicSamplingA"/>.
/// Widths are fractions of the full network, in (0, 1]. <see cref="WidthSampler"/> runs a rule with
/// a seeded, resumable random stream.
/// </summary>
public abstract record WidthSampling
{
    /// <summary>
    /// The widths of one iteration of epoch <paramref name="epoch"/> (0-based), sorted in descending
    /// order; the first plays the max-width role (base loss, EMA update), the others are distilled.
    /// </summary>
    public abstract double[] Draw(int epoch, SeededRandom random);

    /// <summary>Expected forward/backward passes per iteration in epoch <paramref name="epoch"/>.</summary>
    public abstract double ExpectedPasses(int epoch);

    /// <summary>Expected cost per iteration in epoch <paramref name="epoch"/>, in full-width passes (see <see cref="WidthCost"/>).</summary>
    public abstract double ExpectedCost(int epoch);

    /// <summary>Mean of <see cref="ExpectedPasses"/> over epochs 0 … E−1 (every epoch has the same number of iterations).</summary>
    public double MeanExpectedPasses(int totalEpochs) => MeanOver(totalEpochs, ExpectedPasses);

    /// <summary>Mean of <see cref="ExpectedCost"/> over epochs 0 … E−1: the "mean over training" column of science.md 4.2.</summary>
    public double MeanExpectedCost(int totalEpochs) => MeanOver(totalEpochs, ExpectedCost);

    private static double MeanOver(int totalEpochs, Func<int, double> perEpoch)
    {
        if (totalEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(totalEpochs), $"The number of epochs must be positive, got {totalEpochs}.");
        var sum = 0.0;
        for (var e = 0; e < totalEpochs; e++) sum += perEpoch(e);
        return sum / totalEpochs;
    }

    /// <summary>Rejects a width range outside (0, 1] or upside down.</summary>
    protected static void CheckRange(double min, double max)
    {
        if (!(min > 0 && min <= max && max <= 1))
            throw new ArgumentException($"Widths must satisfy 0 < min ≤ max ≤ 1, got min {min} and max {max}.");
    }

    /// <summary>Rejects an epoch before the start of training.</summary>
    protected static void CheckEpoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"The epoch must be 0 or more, got {epoch}.");
    }

    /// <summary>Sorts in descending order, in place, and returns the array.</summary>
    protected static double[] Descending(double[] widths)
    {
        Array.Sort(widths);
        Array.Reverse(widths);
        return widths;
    }
}
