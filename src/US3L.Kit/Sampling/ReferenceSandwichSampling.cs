using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// The reference code's sandwich rule as written (`generate_widths_train` in workers/ssl.py):
/// inside a loop over n − 2 uniform draws it appends the draw and then prepends [max, min], so n = 3
/// gives [max, min, u] like <see cref="SandwichSampling"/>, but n = 4 gives
/// [max, min, max, min, u₁, u₂]: six widths with two max and two min steps (quirk 7.3.4). The
/// reference's `run_byol.sh` config (us_resnet18_byol_cifar.yaml) uses n = 4, so its runs train six
/// widths per iteration. Sorted in descending order; every step at the max width is a base step
/// (science.md 4.1). A degenerate range (min = max) trains that single width once.
/// </summary>
/// <param name="Count">n, NUM_SAMPLE_TRAINING.</param>
/// <param name="MinWidth">w_lo.</param>
/// <param name="MaxWidth">w_hi.</param>
public sealed record ReferenceSandwichSampling(int Count = 4, double MinWidth = 0.25, double MaxWidth = 1.0) : WidthSampling
{
    private bool Degenerate => MinWidth == MaxWidth;

    /// <summary>Widths per iteration: 2(n − 2) + (n − 2) for n ≥ 3, as the loop builds them; n itself below 3.</summary>
    public int Passes => Count < 3 ? Count : 3 * (Count - 2);

    public override double[] Draw(int epoch, SeededRandom random)
    {
        Check(epoch);
        if (Degenerate) return new[] { MaxWidth };
        if (Count < 3) return Count == 1 ? new[] { MaxWidth } : new[] { MaxWidth, MinWidth };
        var widths = new List<double>();
        for (var i = 0; i < Count - 2; i++)
        {
            widths.Add(random.NextDouble(MinWidth, MaxWidth));
            widths.InsertRange(0, new[] { MaxWidth, MinWidth });
        }
        return Descending(widths.ToArray());
    }

    public override double ExpectedPasses(int epoch)
    {
        Check(epoch);
        return Degenerate ? 1 : Passes;
    }

    public override double ExpectedCost(int epoch)
    {
        Check(epoch);
        if (Degenerate) return WidthCost.Pass(MaxWidth);
        if (Count < 3) return WidthCost.Pass(MaxWidth) + (Count == 2 ? WidthCost.Pass(MinWidth) : 0);
        var pairs = Count - 2;
        return pairs * (WidthCost.Pass(MaxWidth) + WidthCost.Pass(MinWidth) + WidthCost.MeanSquareUniform(MinWidth, MaxWidth));
    }

    private void Check(int epoch)
    {
        CheckEpoch(epoch);
        CheckRange(MinWidth, MaxWidth);
        if (Count < 1) throw new ArgumentException($"A sandwich needs at least one width per iteration, got Count = {Count}.");
    }
}
