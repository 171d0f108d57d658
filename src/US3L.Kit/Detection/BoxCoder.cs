using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// torchvision's BoxCoder (Faster R-CNN's box parameterisation, science.md 10.1): a box relative to a
/// reference box is (wx·dx/w, wy·dy/h, ww·log(w'/w), wh·log(h'/h)), where dx, dy move the centre
/// and w', h' are the target's sides. Decoding inverts it, clamping the log-size codes at
/// <see cref="BboxXformClip"/> so that exp cannot overflow. Boxes are (x1, y1, x2, y2).
/// </summary>
public sealed class BoxCoder
{
    /// <summary>log(1000 / 16): no decoded side grows beyond 62.5 times its reference.</summary>
    public static readonly double DefaultBboxXformClip = Math.Log(1000.0 / 16);

    public BoxCoder((double X, double Y, double W, double H) weights, double? bboxXformClip = null)
    {
        if (!(weights.X > 0 && weights.Y > 0 && weights.W > 0 && weights.H > 0))
            throw new ArgumentOutOfRangeException(nameof(weights), weights, "BoxCoder: the weights must be positive.");
        Weights = weights;
        BboxXformClip = bboxXformClip ?? DefaultBboxXformClip;
    }

    /// <summary>Mask R-CNN's box head: weights (10, 10, 5, 5).</summary>
    public static BoxCoder BoxHead() => new((10, 10, 5, 5));

    /// <summary>The region proposal network: weights (1, 1, 1, 1).</summary>
    public static BoxCoder Rpn() => new((1, 1, 1, 1));

    public (double X, double Y, double W, double H) Weights { get; }
    public double BboxXformClip { get; }

    /// <summary>
    /// The codes [N, 4] of <paramref name="referenceBoxes"/> (the targets, [N, 4]) relative to
    /// <paramref name="proposals"/> [N, 4], in the dtype of the reference boxes.
    /// </summary>
    public Tensor EncodeSingle(Tensor referenceBoxes, Tensor proposals)
    {
        DetectionChecks.Boxes(referenceBoxes, "BoxCoder.EncodeSingle", nameof(referenceBoxes));
        DetectionChecks.Boxes(proposals, "BoxCoder.EncodeSingle", nameof(proposals));
        if (referenceBoxes.size(0) != proposals.size(0))
            throw new ArgumentException(
                $"BoxCoder.EncodeSingle: {referenceBoxes.size(0)} reference boxes but {proposals.size(0)} proposals; they are encoded pairwise.");
        using var scope = torch.NewDisposeScope();
        var (px, py, pw, ph) = CentreSize(proposals);
        var (gx, gy, gw, gh) = CentreSize(referenceBoxes);
        var codes = torch.cat(new[]
        {
            Weights.X * (gx - px) / pw,
            Weights.Y * (gy - py) / ph,
            Weights.W * (gw / pw).log(),
            Weights.H * (gh / ph).log(),
        }, dim: 1);
        return scope.MoveToOuter(codes.to(referenceBoxes.dtype));
    }

    /// <summary>Per-image encoding: one code tensor per image, as torchvision's encode.</summary>
    public Tensor[] Encode(IReadOnlyList<Tensor> referenceBoxes, IReadOnlyList<Tensor> proposals)
    {
        using var scope = torch.NewDisposeScope();
        var counts = referenceBoxes.Select(b => b.size(0)).ToArray();
        var parts = EncodeSingle(torch.cat(referenceBoxes), torch.cat(proposals)).split(counts);
        scope.MoveToOuter(parts);
        return parts;
    }

    /// <summary>
    /// Boxes from codes: <paramref name="relCodes"/> [N, 4k] (k boxes per reference, e.g. one per
    /// class) against <paramref name="boxes"/> [N, 4]; returns [N, 4k] in the dtype of the codes.
    /// </summary>
    public Tensor DecodeSingle(Tensor relCodes, Tensor boxes)
    {
        DetectionChecks.Boxes(boxes, "BoxCoder.DecodeSingle", nameof(boxes));
        if (relCodes.dim() != 2 || relCodes.size(1) % 4 != 0 || relCodes.size(0) != boxes.size(0))
            throw new ArgumentException(
                $"BoxCoder.DecodeSingle: relCodes must be [{boxes.size(0)}, 4k] for {boxes.size(0)} boxes, got shape {DetectionChecks.Shape(relCodes)}.");
        using var scope = torch.NewDisposeScope();
        var b = boxes.to(relCodes.dtype);
        var widths = (b.select(1, 2) - b.select(1, 0)).unsqueeze(1);
        var heights = (b.select(1, 3) - b.select(1, 1)).unsqueeze(1);
        var cx = b.select(1, 0).unsqueeze(1) + 0.5 * widths;
        var cy = b.select(1, 1).unsqueeze(1) + 0.5 * heights;
        var dx = relCodes.slice(1, 0, long.MaxValue, 4) / Weights.X;
        var dy = relCodes.slice(1, 1, long.MaxValue, 4) / Weights.Y;
        var dw = (relCodes.slice(1, 2, long.MaxValue, 4) / Weights.W).clamp(max: BboxXformClip);
        var dh = (relCodes.slice(1, 3, long.MaxValue, 4) / Weights.H).clamp(max: BboxXformClip);
        var predX = dx * widths + cx;
        var predY = dy * heights + cy;
        var halfW = 0.5 * (dw.exp() * widths);
        var halfH = 0.5 * (dh.exp() * heights);
        var decoded = torch.stack(new[] { predX - halfW, predY - halfH, predX + halfW, predY + halfH }, dim: 2).flatten(1);
        return scope.MoveToOuter(decoded);
    }

    /// <summary>
    /// Per-image decoding as torchvision's decode: codes for the concatenated boxes of all images,
    /// returned as [sum N_i, k, 4].
    /// </summary>
    public Tensor Decode(Tensor relCodes, IReadOnlyList<Tensor> boxes)
    {
        using var scope = torch.NewDisposeScope();
        var total = boxes.Sum(b => b.size(0));
        var codes = total > 0 ? relCodes.reshape(total, -1) : relCodes;
        var decoded = DecodeSingle(codes, torch.cat(boxes));
        return scope.MoveToOuter(total > 0 ? decoded.reshape(total, -1, 4) : decoded);
    }

    private static (Tensor X, Tensor Y, Tensor W, Tensor H) CentreSize(Tensor boxes)
    {
        var x1 = boxes.select(1, 0).unsqueeze(1);
        var y1 = boxes.select(1, 1).unsqueeze(1);
        var w = boxes.select(1, 2).unsqueeze(1) - x1;
        var h = boxes.select(1, 3).unsqueeze(1) - y1;
        return (x1 + 0.5 * w, y1 + 0.5 * h, w, h);
    }
}
