using US3L.Data;

namespace US3L.Sampling;

/// <summary>
/// The same widths at every iteration, sorted in descending order: a slimmable network with a
/// fixed width set (S-Net, DSPNet), or a single width (an individually trained model).
/// </summary>
/// <param name="Widths">The widths, each in (0, 1]; order does not matter.</param>
public sealed record FixedWidths(IReadOnlyList<double> Widths) : WidthSampling
{
    public override double[] Draw(int epoch, SeededRandom random)
    {
        Check(epoch);
        return Descending(Widths.ToArray());
    }

    public override double ExpectedPasses(int epoch)
    {
        Check(epoch);
        return Widths.Count;
    }

    public override double ExpectedCost(int epoch)
    {
        Check(epoch);
        return Widths.Sum(WidthCost.Pass);
    }

    private void Check(int epoch)
    {
        CheckEpoch(epoch);
        if (Widths is null || Widths.Count == 0) throw new ArgumentException("FixedWidths needs at least one width.");
        foreach (var w in Widths) CheckRange(w, w);
    }

    public override string ToString() => $"FixedWidths {{ Widths = [{string.Join(", ", Widths)}] }}";
}
