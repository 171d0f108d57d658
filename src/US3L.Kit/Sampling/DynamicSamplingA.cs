using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// US3L's dynamic sampling, <c>SAMPLE_SCHEDULER = "A"</c> (science.md 4.2). The E epochs are split
/// into 4 phases of P = floor(E/4) epochs; epoch e (0-based) is in phase k = floor(e/P) + 1, and
/// epochs beyond 4P (when E is not a multiple of 4) belong to phase 4. Phase 1 trains the max width
/// alone; phase k ≥ 2 runs a sandwich of <c>Count</c> widths in [w_lo, w_max] with
/// w_lo = w_min + (4 − k)(w_max − w_min)/3, i.e. 0.75, 0.50, 0.25 for the default range. Why: the
/// EMA teacher is poor early on, so distilling into small sub-networks then is wasted compute.
/// </summary>
/// <param name="TotalEpochs">E, the length of training (at least 4, so that every phase has an epoch).</param>
/// <param name="Count">n of the sandwich in phases 2–4 (US3L: 3).</param>
/// <param name="MinWidth">w_min, the lower bound reached in phase 4.</param>
/// <param name="MaxWidth">w_max, the fixed upper bound.</param>
public sealed record DynamicSamplingA(int TotalEpochs, int Count = 3, double MinWidth = 0.25, double MaxWidth = 1.0) : WidthSampling
{
    /// <summary>The number of phases of the schedule.</summary>
    public const int Phases = 4;

    /// <summary>P = floor(E/4), the length of a phase in epochs.</summary>
    public int PhaseLength => TotalEpochs / Phases;

    /// <summary>The phase k ∈ {1, 2, 3, 4} of epoch <paramref name="epoch"/>.</summary>
    public int Phase(int epoch)
    {
        Check(epoch);
        return Math.Min(epoch / PhaseLength + 1, Phases);
    }

    /// <summary>w_lo of epoch <paramref name="epoch"/>: w_max in phase 1, then w_min + (4 − k)(w_max − w_min)/3.</summary>
    public double LowerBound(int epoch)
    {
        var k = Phase(epoch);
        return k == 1 ? MaxWidth : MinWidth + (Phases - k) * (MaxWidth - MinWidth) / (Phases - 1);
    }

    /// <summary>The sandwich that epoch <paramref name="epoch"/> runs (degenerate, i.e. the max width alone, in phase 1).</summary>
    public SandwichSampling SandwichAt(int epoch) => new(Count, LowerBound(epoch), MaxWidth);

    public override double[] Draw(int epoch, SeededRandom random) => SandwichAt(epoch).Draw(epoch, random);

    public override double ExpectedPasses(int epoch) => SandwichAt(epoch).ExpectedPasses(epoch);

    public override double ExpectedCost(int epoch) => SandwichAt(epoch).ExpectedCost(epoch);

    private void Check(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"The epoch must be 0 or more, got {epoch}.");
        if (TotalEpochs < Phases)
            throw new ArgumentException($"Dynamic sampling \"A\" splits training into {Phases} phases and needs at least {Phases} epochs, got {TotalEpochs}.");
        CheckRange(MinWidth, MaxWidth);
    }
}
