using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>
/// torchvision's paste_masks_in_image (science.md 10.5 [T]): each M×M mask probability map is padded
/// by one zero pixel on every side and its box widened by the same factor (M + 2)/M about its
/// centre, then the box is truncated to integers (x1, y1, x2, y2), the padded map resized bilinearly
/// (align_corners false) to (y2 − y1 + 1) × (x2 − x1 + 1) and copied into a zero image at (x1, y1),
/// clipped to the image. The padding lets the mask fade to zero at the box edge.
/// </summary>
public static class MaskPaste
{
    /// <summary>Full-image probability maps [n, 1, H, W] of masks [n, 1, M, M] in <paramref name="boxes"/> [n, 4] (image pixels).</summary>
    public static Tensor PasteMasksInImage(Tensor masks, Tensor boxes, (int Height, int Width) imageSize, int padding = 1)
    {
        if (masks.dim() != 4 || masks.size(1) != 1 || masks.size(2) != masks.size(3))
            throw new ArgumentException($"PasteMasksInImage: masks must be [n, 1, M, M], got {DetectionChecks.Shape(masks)}.");
        DetectionChecks.Boxes(boxes, "PasteMasksInImage", nameof(boxes));
        var (h, w) = imageSize;
        using var scope = torch.NewDisposeScope();
        var n = masks.size(0);
        if (n == 0) return scope.MoveToOuter(torch.zeros(new long[] { 0, 1, h, w }, masks.dtype, masks.device));
        var m = masks.size(-1);
        var scale = (double)(m + 2 * padding) / m;
        var padded = F.pad(masks, new long[] { padding, padding, padding, padding });
        var integer = ExpandBoxes(boxes, scale).to(ScalarType.Int64).cpu().ToArray<long>();
        var result = torch.zeros(new long[] { n, 1, h, w }, masks.dtype, masks.device);
        for (var i = 0; i < n; i++)
        {
            var (x1, y1, x2, y2) = (integer[4 * i], integer[4 * i + 1], integer[4 * i + 2], integer[4 * i + 3]);
            var bw = Math.Max(x2 - x1 + 1, 1);
            var bh = Math.Max(y2 - y1 + 1, 1);
            var resized = F.interpolate(padded.narrow(0, i, 1), size: (bh, bw), mode: "bilinear", align_corners: false);
            var (x0, x1c) = (Math.Max(x1, 0), Math.Min(x2 + 1, w));
            var (y0, y1c) = (Math.Max(y1, 0), Math.Min(y2 + 1, h));
            if (x1c <= x0 || y1c <= y0) continue;
            var source = resized.select(0, 0).select(0, 0).narrow(0, y0 - y1, y1c - y0).narrow(1, x0 - x1, x1c - x0);
            using (torch.no_grad())
                result.select(0, i).select(0, 0).narrow(0, y0, y1c - y0).narrow(1, x0, x1c - x0).copy_(source);
        }
        return scope.MoveToOuter(result);
    }

    /// <summary>torchvision's expand_boxes: half-sides multiplied by <paramref name="scale"/> about each box's centre, in the boxes' dtype.</summary>
    public static Tensor ExpandBoxes(Tensor boxes, double scale)
    {
        using var scope = torch.NewDisposeScope();
        var halfW = (boxes.select(1, 2) - boxes.select(1, 0)) * 0.5 * scale;
        var halfH = (boxes.select(1, 3) - boxes.select(1, 1)) * 0.5 * scale;
        var cx = (boxes.select(1, 2) + boxes.select(1, 0)) * 0.5;
        var cy = (boxes.select(1, 3) + boxes.select(1, 1)) * 0.5;
        return scope.MoveToOuter(torch.stack(new[] { cx - halfW, cy - halfH, cx + halfW, cy + halfH }, dim: 1));
    }
}
