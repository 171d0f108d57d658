using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// The annotations of one image as torchvision's detection models take them (science.md 10.2):
/// <see cref="Boxes"/> float32 [N, 4] (x1, y1, x2, y2) in pixels, <see cref="Labels"/> int64 [N] in
/// 1..K (0 is the background), <see cref="Masks"/> uint8 [N, H, W] (1 inside), <see cref="IsCrowd"/>
/// int64 [N] (1 for a COCO crowd region), and <see cref="Area"/> float32 [N], COCO's object area
/// (the mask's pixel count), which the evaluation's small/medium/large ranges use. The target owns
/// its tensors (no dispose scope does) and frees them when disposed.
/// </summary>
public sealed class DetectionTarget : IDisposable
{
    public DetectionTarget(long imageId, Tensor boxes, Tensor labels, Tensor masks, Tensor isCrowd, Tensor area)
    {
        var n = boxes.dim() == 2 ? boxes.size(0) : -1;
        if (n < 0 || boxes.size(1) != 4) throw new ArgumentException($"DetectionTarget {imageId}: boxes must be [N, 4], got {DetectionChecks.Shape(boxes)}.");
        if (labels.dim() != 1 || labels.size(0) != n) throw new ArgumentException($"DetectionTarget {imageId}: labels must be [{n}], got {DetectionChecks.Shape(labels)}.");
        if (masks.dim() != 3 || masks.size(0) != n) throw new ArgumentException($"DetectionTarget {imageId}: masks must be [{n}, H, W], got {DetectionChecks.Shape(masks)}.");
        if (isCrowd.dim() != 1 || isCrowd.size(0) != n) throw new ArgumentException($"DetectionTarget {imageId}: isCrowd must be [{n}], got {DetectionChecks.Shape(isCrowd)}.");
        if (area.dim() != 1 || area.size(0) != n) throw new ArgumentException($"DetectionTarget {imageId}: area must be [{n}], got {DetectionChecks.Shape(area)}.");
        ImageId = imageId;
        Boxes = DisposeScope.Detach(boxes);
        Labels = DisposeScope.Detach(labels);
        Masks = DisposeScope.Detach(masks);
        IsCrowd = DisposeScope.Detach(isCrowd);
        Area = DisposeScope.Detach(area);
    }

    public long ImageId { get; }
    public Tensor Boxes { get; }
    public Tensor Labels { get; }
    public Tensor Masks { get; }
    public Tensor IsCrowd { get; }
    public Tensor Area { get; }

    /// <summary>Number of annotated objects.</summary>
    public int Count => (int)Boxes.size(0);

    /// <summary>The mask size, which is the image size.</summary>
    public (int Height, int Width) MaskSize => ((int)Masks.size(1), (int)Masks.size(2));

    /// <summary>
    /// What a detector trains on, as torchvision's COCO training set: crowd regions dropped, boxes
    /// clipped to the image, and boxes left without width or height dropped. A new target.
    /// </summary>
    public DetectionTarget ForTraining()
    {
        using var scope = torch.NewDisposeScope();
        var (h, w) = MaskSize;
        var boxes = torchvision.ops.clip_boxes_to_image(Boxes, (h, w));
        var keep = IsCrowd.eq(0) & (boxes.select(1, 2) > boxes.select(1, 0)) & (boxes.select(1, 3) > boxes.select(1, 1));
        var index = keep.nonzero().view(-1);
        return new DetectionTarget(ImageId, boxes.index_select(0, index), Labels.index_select(0, index), Masks.index_select(0, index),
            IsCrowd.index_select(0, index), Area.index_select(0, index));
    }

    /// <summary>The same annotations on another device (a new target).</summary>
    public DetectionTarget To(Device device)
    {
        using var scope = torch.NewDisposeScope();
        return new DetectionTarget(ImageId, Boxes.to(device), Labels.to(device), Masks.to(device), IsCrowd.to(device), Area.to(device));
    }

    public void Dispose()
    {
        Boxes.Dispose();
        Labels.Dispose();
        Masks.Dispose();
        IsCrowd.Dispose();
        Area.Dispose();
    }
}
