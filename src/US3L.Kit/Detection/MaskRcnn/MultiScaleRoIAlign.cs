using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// torchvision's MultiScaleRoIAlign (science.md 10.5 [T]): each box pools from one pyramid level,
/// k = clamp(floor(k0 + log2(√area / s0) + 1e-6), k_min, k_max) with s0 = 224 and k0 = 4 (FPN paper
/// eq. 1), where level k has scale 2^-k. The scales are inferred from the feature maps' heights
/// against the largest image height (rounded to a power of two). Differences [D]: the scales are
/// inferred on every call (torchvision caches those of its first batch), and the per-level results
/// are put back in box order with an index_select rather than an indexed assignment (the same values).
/// </summary>
public sealed class MultiScaleRoIAlign(int outputSize, int samplingRatio, int canonicalScale = 224, int canonicalLevel = 4)
{
    public int OutputSize { get; } = outputSize;
    public int SamplingRatio { get; } = samplingRatio;
    public int CanonicalScale { get; } = canonicalScale;
    public int CanonicalLevel { get; } = canonicalLevel;

    /// <summary>Pooled features [sum L_i, C, S, S] of the boxes (per image, [L_i, 4] in image pixels) over <paramref name="features"/>.</summary>
    public Tensor Pool(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        using var scope = torch.NewDisposeScope();
        var maxHeight = imageSizes.Max(s => s.Height);
        var scales = features.Select(f => Math.Pow(2, Math.Round(Math.Log2((double)f.size(2) / maxHeight)))).ToArray();
        var rois = torchvision.ops.convert_boxes_to_roi_format(boxes);
        if (features.Count == 1)
            return scope.MoveToOuter(torchvision.ops.roi_align(features[0], rois, OutputSize, scales[0], SamplingRatio));
        var levels = Levels(boxes, (int)-Math.Log2(scales[0]), (int)-Math.Log2(scales[^1]));
        var parts = new List<Tensor>();
        var order = new List<Tensor>();
        for (var level = 0; level < features.Count; level++)
        {
            var index = levels.eq(level).nonzero().view(-1);
            if (index.numel() == 0) continue;
            parts.Add(torchvision.ops.roi_align(features[level], rois.index_select(0, index), OutputSize, scales[level], SamplingRatio));
            order.Add(index);
        }
        if (parts.Count == 0)
            return scope.MoveToOuter(torch.zeros(new[] { 0L, features[0].size(1), OutputSize, OutputSize }, features[0].dtype, features[0].device));
        var inverse = torch.cat(order).argsort();
        return scope.MoveToOuter(torch.cat(parts).index_select(0, inverse));
    }

    /// <summary>The level index (0 = the finest level given) each box pools from (torchvision's LevelMapper).</summary>
    public Tensor Levels(IReadOnlyList<Tensor> boxes, int kMin, int kMax)
    {
        using var scope = torch.NewDisposeScope();
        var s = torch.cat(boxes.Select(torchvision.ops.box_area).ToArray()).sqrt();
        var eps = torch.scalar_tensor(1e-6, s.dtype, s.device);
        var target = (CanonicalLevel + (s / CanonicalScale).log2() + eps).floor().clamp(kMin, kMax);
        return scope.MoveToOuter(target.to(ScalarType.Int64) - kMin);
    }
}
