namespace US3L.Detection;

/// <summary>What the COCO evaluation compares: boxes or masks.</summary>
public enum IouType { Box, Mask }

/// <summary>
/// pycocotools' evaluation parameters (science.md 10.4): IoU thresholds 0.50:0.05:0.95, recall
/// thresholds 0:0.01:1 (101-point interpolation), the area ranges all/small/medium/large split at 32²
/// and 96² pixels, and at most 1, 10 and 100 detections per image. The thresholds are computed
/// exactly as numpy's linspace computes them, so comparisons at a threshold tie alike.
/// </summary>
public sealed record CocoEvalParams
{
    public double[] IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);
    public double[] RecallThresholds { get; init; } = Linspace(0.0, 1.0, 101);
    public (string Label, double Min, double Max)[] AreaRanges { get; init; } =
    {
        ("all", 0, 1e5 * 1e5), ("small", 0, 32 * 32), ("medium", 32 * 32, 96 * 96), ("large", 96 * 96, 1e5 * 1e5),
    };
    /// <summary>Ascending; the last is the cap applied when matching.</summary>
    public int[] MaxDets { get; init; } = { 1, 10, 100 };

    public static CocoEvalParams Default { get; } = new();

    /// <summary>numpy.linspace(start, stop, count): start + i * step, the last value exactly stop.</summary>
    internal static double[] Linspace(double start, double stop, int count)
    {
        var step = (stop - start) / (count - 1);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = i * step + start;
        values[^1] = stop;
        return values;
    }

    internal void Validate()
    {
        if (IouThresholds.Length == 0 || RecallThresholds.Length == 0 || AreaRanges.Length == 0 || MaxDets.Length == 0)
            throw new ArgumentException("CocoEvalParams: thresholds, area ranges and maxDets must not be empty.");
        for (var i = 1; i < MaxDets.Length; i++)
            if (MaxDets[i] < MaxDets[i - 1]) throw new ArgumentException($"CocoEvalParams: MaxDets must be ascending, got [{string.Join(", ", MaxDets)}].");
    }
}
