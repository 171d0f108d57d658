using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// torchvision's Matcher (science.md 10.5 [T]): each prediction (anchor or proposal) takes the ground
/// truth it overlaps most; a best IoU below <see cref="LowThreshold"/> gives <see cref="BelowLowThreshold"/>
/// (background), one in [low, high) gives <see cref="BetweenThresholds"/> (ignored). With low-quality
/// matches allowed (the RPN), every prediction that ties for the best IoU of some ground truth keeps
/// its own best match even when it is below the thresholds, so each object gets at least one anchor.
/// </summary>
public sealed class Matcher(double highThreshold, double lowThreshold, bool allowLowQualityMatches)
{
    public const long BelowLowThreshold = -1;
    public const long BetweenThresholds = -2;

    public double HighThreshold { get; } = lowThreshold <= highThreshold ? highThreshold
        : throw new ArgumentException($"Matcher: the low threshold {lowThreshold} exceeds the high threshold {highThreshold}.");
    public double LowThreshold { get; } = lowThreshold;
    public bool AllowLowQualityMatches { get; } = allowLowQualityMatches;

    /// <summary>The matched ground-truth index (int64 [N]) of each prediction, or a negative code, from IoUs [G, N].</summary>
    public Tensor Match(Tensor matchQuality)
    {
        if (matchQuality.dim() != 2) throw new ArgumentException($"Matcher: the match quality must be [G, N], got {DetectionChecks.Shape(matchQuality)}.");
        if (matchQuality.size(0) == 0) throw new ArgumentException("Matcher: an image without ground-truth boxes cannot be matched while training.");
        if (matchQuality.size(1) == 0) throw new ArgumentException("Matcher: an image without proposals cannot be matched while training.");
        using var scope = torch.NewDisposeScope();
        var (values, allMatches) = matchQuality.max(0);
        var below = values < LowThreshold;
        var between = (values >= LowThreshold) & (values < HighThreshold);
        var matches = allMatches.masked_fill(below, BelowLowThreshold).masked_fill(between, BetweenThresholds);
        if (AllowLowQualityMatches)
        {
            var (best, _) = matchQuality.max(1);
            var tied = matchQuality.eq(best.unsqueeze(1)).any(0);
            matches = torch.where(tied, allMatches, matches);
        }
        return scope.MoveToOuter(matches);
    }
}
