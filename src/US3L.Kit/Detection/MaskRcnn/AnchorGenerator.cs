using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// torchvision's AnchorGenerator (science.md 10.5 [T]). Each pyramid level has cell anchors centred
/// at 0, one per (aspect ratio, size) pair with the ratio varying slowest: for ratio r = h/w and size
/// s, half-sides s·√r / 2 (height) and s / √r / 2 (width), rounded half to even, computed in float32.
/// They are tiled over the level's grid at stride (padded batch side) // (grid side), location-major,
/// so anchor k of a level lies at cell k / A, shape k mod A. Every image of a batch gets the same anchors.
/// </summary>
public sealed class AnchorGenerator : IDisposable
{
    private readonly Tensor[] cellAnchors;

    public AnchorGenerator(IReadOnlyList<IReadOnlyList<double>> sizes, IReadOnlyList<double> aspectRatios)
    {
        if (sizes.Count == 0) throw new ArgumentException("AnchorGenerator: give the anchor sizes of at least one level.");
        Sizes = sizes;
        AspectRatios = aspectRatios;
        cellAnchors = sizes.Select(s => DisposeScope.Detach(CellAnchors(s, aspectRatios))).ToArray();
    }

    public IReadOnlyList<IReadOnlyList<double>> Sizes { get; }
    public IReadOnlyList<double> AspectRatios { get; }

    /// <summary>Anchors per location at each level (torchvision's num_anchors_per_location).</summary>
    public IReadOnlyList<int> AnchorsPerLocation => Sizes.Select(s => s.Count * AspectRatios.Count).ToArray();

    /// <summary>The zero-centred anchors [A, 4] of one level (torchvision's generate_anchors).</summary>
    public static Tensor CellAnchors(IReadOnlyList<double> sizes, IReadOnlyList<double> aspectRatios)
    {
        using var scope = torch.NewDisposeScope();
        var scales = torch.tensor(sizes.Select(s => (float)s).ToArray(), sizes.Count);
        var ratios = torch.tensor(aspectRatios.Select(r => (float)r).ToArray(), aspectRatios.Count);
        var hRatios = ratios.sqrt();
        var wRatios = hRatios.reciprocal();
        var ws = (wRatios.unsqueeze(1) * scales.unsqueeze(0)).reshape(-1);
        var hs = (hRatios.unsqueeze(1) * scales.unsqueeze(0)).reshape(-1);
        var anchors = (torch.stack(new[] { -ws, -hs, ws, hs }, dim: 1) / 2).round();
        return scope.MoveToOuter(anchors);
    }

    /// <summary>
    /// The anchors [sum_l H_l·W_l·A, 4] of a padded batch of side <paramref name="batchSize"/> whose
    /// pyramid levels have the grid sizes <paramref name="gridSizes"/>, in the order the RPN's
    /// flattened predictions take.
    /// </summary>
    public Tensor Anchors((long Height, long Width) batchSize, IReadOnlyList<(long Height, long Width)> gridSizes, ScalarType dtype, Device device)
    {
        if (gridSizes.Count != cellAnchors.Length)
            throw new ArgumentException($"AnchorGenerator: built for {cellAnchors.Length} pyramid levels, got {gridSizes.Count} feature maps.");
        using var scope = torch.NewDisposeScope();
        var perLevel = new Tensor[gridSizes.Count];
        for (var l = 0; l < gridSizes.Count; l++)
        {
            var (gh, gw) = gridSizes[l];
            var (strideH, strideW) = (batchSize.Height / gh, batchSize.Width / gw);
            var x = torch.arange(gw, ScalarType.Int64, device) * strideW;
            var y = torch.arange(gh, ScalarType.Int64, device) * strideH;
            var shiftX = x.unsqueeze(0).expand(gh, gw).reshape(-1);
            var shiftY = y.unsqueeze(1).expand(gh, gw).reshape(-1);
            var shifts = torch.stack(new[] { shiftX, shiftY, shiftX, shiftY }, dim: 1);
            var cell = cellAnchors[l].to(dtype, device);
            perLevel[l] = (shifts.view(-1, 1, 4) + cell.view(1, -1, 4)).reshape(-1, 4);
        }
        return scope.MoveToOuter(torch.cat(perLevel).to(dtype));
    }

    public void Dispose()
    {
        foreach (var t in cellAnchors) t.Dispose();
    }
}
