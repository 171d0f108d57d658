using System.Text.Json.Nodes;

namespace US3L.Cli.Bench;

/// <summary>How a comparison is run: untimed warm-up steps per side, then rounds of four slots of <c>Steps</c> steps each.</summary>
internal sealed record ComparisonPlan(int Rounds, int Steps, int Warmup)
{
    public static ComparisonPlan Checked(int rounds, int steps, int warmup) => new(
        rounds > 0 ? rounds : throw new ArgumentException($"--rounds must be a positive integer, got {rounds}."),
        steps > 0 ? steps : throw new ArgumentException($"--steps must be a positive integer, got {steps}."),
        warmup >= 0 ? warmup : throw new ArgumentException($"--warmup must be 0 or a positive integer, got {warmup}."));
}

/// <summary>
/// Times two implementations of the same work fairly on a shared machine. Both sides stay loaded
/// (a reference runs in a long-lived worker process) and run in alternating rounds: every round is
/// ours, reference, reference, ours, each slot <see cref="ComparisonPlan.Steps"/> warm steps, so a
/// change of machine load within a round lands on both sides alike. A side's speed in a round is
/// taken over its two slots; the round's ratio is ours over the reference's. A bench gives two
/// functions that run k steps and return images per second (<c>prepare</c> is told the round before
/// it starts, -1 for the warm-up, for benches whose steps depend on the round).
/// </summary>
internal static class InterleavedComparison
{
    public const int WarmupRound = -1;

    public static ComparisonResult Run(Func<int, double> ours, Func<int, double>? reference, ComparisonPlan plan, Action<int>? prepare = null)
    {
        if (plan.Warmup > 0)
        {
            prepare?.Invoke(WarmupRound);
            ours(plan.Warmup);
            reference?.Invoke(plan.Warmup);
        }
        var oursRounds = new double[plan.Rounds];
        var referenceRounds = reference is null ? null : new double[plan.Rounds];
        for (var round = 0; round < plan.Rounds; round++)
        {
            prepare?.Invoke(round);
            var first = ours(plan.Steps);
            double? b1 = reference?.Invoke(plan.Steps), b2 = reference?.Invoke(plan.Steps);
            var last = ours(plan.Steps);
            oursRounds[round] = OverBothSlots(first, last);
            if (referenceRounds is not null) referenceRounds[round] = OverBothSlots(b1!.Value, b2!.Value);
        }
        return new ComparisonResult(oursRounds, referenceRounds);
    }

    /// <summary>Images per second over two slots of equal image counts: the harmonic mean of their rates.</summary>
    internal static double OverBothSlots(double a, double b) => 2 / (1 / a + 1 / b);
}

/// <summary>Images per second of each side in each round, and what a bench prints of them.</summary>
internal sealed record ComparisonResult(IReadOnlyList<double> Ours, IReadOnlyList<double>? Reference)
{
    /// <summary>Ours over the reference, per round; null without a reference.</summary>
    public IReadOnlyList<double>? Ratios => Reference?.Select((r, i) => Ours[i] / r).ToArray();

    public int Rounds => Ours.Count;

    /// <summary>
    /// Adds the medians and min-max ranges: <c>ours_img_s</c>, <c>ours_range</c>, <c>pytorch_img_s</c>,
    /// <c>pytorch_range</c>, <c>ratio</c> (median of the per-round ratios) and <c>ratio_range</c>.
    /// </summary>
    public void WriteTo(JsonObject line, string reference = "pytorch")
    {
        line["rounds"] = Rounds;
        line["ours_img_s"] = Math.Round(Median(Ours), 1);
        line["ours_range"] = Range(Ours, 1);
        line[reference + "_img_s"] = Reference is null ? null : Math.Round(Median(Reference), 1);
        line[reference + "_range"] = Reference is null ? null : Range(Reference, 1);
        line["ratio"] = Ratios is { } r ? Math.Round(Median(r), 3) : null;
        line["ratio_range"] = Ratios is { } rr ? Range(rr, 3) : null;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static JsonArray Range(IReadOnlyList<double> values, int digits) =>
        new(Math.Round(values.Min(), digits), Math.Round(values.Max(), digits));
}
