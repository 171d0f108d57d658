namespace US3L.Training;

/// <summary>
/// One width step of an iteration: its place, its width and its role. Every step at the max width
/// is a base step, as in the reference (<c>width_mult == max_width</c> in workers/ssl.py), so a
/// sampler that repeats the max width (<see cref="Sampling.ReferenceSandwichSampling"/>) updates the
/// teacher and renews the targets at each of them; the other steps are distilled when distillation is on.
/// </summary>
internal readonly record struct WidthStep(int Index, double Width, bool Base, bool Distilled, bool Last)
{
    public static WidthStep At(IReadOnlyList<double> widths, int j, bool distill)
    {
        var isBase = j == 0 || widths[j] == widths[0];
        return new WidthStep(j, widths[j], isBase, !isBase && distill, j == widths.Count - 1);
    }
}
