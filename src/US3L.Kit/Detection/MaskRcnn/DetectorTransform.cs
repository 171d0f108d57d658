using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>
/// torchvision's GeneralizedRCNNTransform (science.md 10.5 [T]): each image (uint8 0-255 or float
/// 0-1) is normalized with the mean and std, resized as <see cref="DetectionResize"/> does (shorter
/// side to the min size, longer side at most the max size; training draws the min size per image
/// with one uniform number, as torchvision's torch_choice), with its boxes and masks; the batch is
/// zero-padded to a multiple of <see cref="MaskRcnnOptions.SizeDivisible"/>. An image already at its
/// output size is not resampled (a bilinear resize to the same size is the identity). Detections
/// are mapped back to the input size by <see cref="Postprocess"/>.
/// </summary>
public sealed class DetectorTransform(MaskRcnnOptions options)
{
    public MaskRcnnOptions Options { get; } = options;

    /// <summary>The padded, normalized batch and (when given) the targets resized with their images.</summary>
    public (ImageList Images, DetectionTarget[]? Targets) Apply(IReadOnlyList<Tensor> images, IReadOnlyList<DetectionTarget>? targets,
        bool training, Generator? generator)
    {
        if (images.Count == 0) throw new ArgumentException("DetectorTransform: the batch is empty.");
        if (targets is not null && targets.Count != images.Count)
            throw new ArgumentException($"DetectorTransform: {images.Count} images but {targets.Count} targets.");
        using var scope = torch.NewDisposeScope();
        var resized = new Tensor[images.Count];
        var resizedTargets = targets is null ? null : new DetectionTarget[images.Count];
        try
        {
            for (var i = 0; i < images.Count; i++)
            {
                var image = images[i];
                if (image.dim() != 3 || image.size(0) != Options.ImageMean.Count)
                    throw new ArgumentException(
                        $"DetectorTransform: image {i} must be [{Options.ImageMean.Count}, H, W] (the channels of image_mean), got {DetectionChecks.Shape(image)}.");
                var minSize = training ? Choice(Options.MinSize, generator) : Options.MinSize[^1];
                var size = DetectionResize.OutputSize((int)image.size(1), (int)image.size(2), minSize, Options.MaxSize);
                resized[i] = Resize(Normalize(image), size);
                if (resizedTargets is not null) resizedTargets[i] = ResizeTarget(targets![i], ((int)image.size(1), (int)image.size(2)), size);
            }
            var sizes = resized.Select(t => ((int)t.size(1), (int)t.size(2))).ToArray();
            return (new ImageList(Batch(resized), sizes), resizedTargets);
        }
        catch
        {
            if (resizedTargets is not null) foreach (var t in resizedTargets) t?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// torchvision's torch_choice: one float32 uniform number in [0, count) from the generator picks the
    /// min size (drawn in training even when there is one choice, so the random stream matches torchvision's).
    /// </summary>
    private static int Choice(IReadOnlyList<int> sizes, Generator? generator)
    {
        using var draw = torch.empty(new long[] { 1 }).uniform_(0, sizes.Count, generator);
        return sizes[(int)draw.item<float>()];
    }

    private Tensor Normalize(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var x = image.is_floating_point() ? image : image.to(ScalarType.Float32) / 255.0;
        var c = Options.ImageMean.Count;
        var mean = torch.tensor(Options.ImageMean.Select(v => (float)v).ToArray(), c).to(x.dtype, x.device).view(-1, 1, 1);
        var std = torch.tensor(Options.ImageStd.Select(v => (float)v).ToArray(), c).to(x.dtype, x.device).view(-1, 1, 1);
        return scope.MoveToOuter((x - mean) / std);
    }

    private static Tensor Resize(Tensor image, (int Height, int Width) size)
    {
        if (image.size(1) == size.Height && image.size(2) == size.Width) return image;
        return F.interpolate(image.unsqueeze(0), size: (size.Height, size.Width), mode: "bilinear", align_corners: false).squeeze(0);
    }

    private static DetectionTarget ResizeTarget(DetectionTarget t, (int Height, int Width) from, (int Height, int Width) to)
    {
        using var scope = torch.NewDisposeScope();
        if (from == to) return new DetectionTarget(t.ImageId, t.Boxes.clone(), t.Labels.clone(), t.Masks.clone(), t.IsCrowd.clone(), t.Area.clone());
        var boxes = ResizeBoxes(t.Boxes, from, to);
        var masks = t.Count == 0
            ? torch.zeros(new long[] { 0, to.Height, to.Width }, ScalarType.UInt8, t.Masks.device)
            : F.interpolate(t.Masks.unsqueeze(1).to(ScalarType.Float32), size: (to.Height, to.Width), mode: "nearest").squeeze(1).to(ScalarType.UInt8);
        var area = t.Area * ((float)to.Height / from.Height * (double)((float)to.Width / from.Width));
        return new DetectionTarget(t.ImageId, boxes, t.Labels.clone(), masks, t.IsCrowd.clone(), area);
    }

    /// <summary>torchvision's resize_boxes: x scaled by new/old width, y by new/old height, the ratios in float32.</summary>
    public static Tensor ResizeBoxes(Tensor boxes, (int Height, int Width) from, (int Height, int Width) to)
    {
        using var scope = torch.NewDisposeScope();
        var rh = (float)to.Height / from.Height;
        var rw = (float)to.Width / from.Width;
        var b = boxes;
        return scope.MoveToOuter(torch.stack(new[] { b.select(1, 0) * rw, b.select(1, 1) * rh, b.select(1, 2) * rw, b.select(1, 3) * rh }, dim: 1));
    }

    /// <summary>torchvision's batch_images: every image in the top-left of a zero canvas whose sides are multiples of SizeDivisible.</summary>
    private Tensor Batch(IReadOnlyList<Tensor> images)
    {
        var c = images[0].size(0);
        var d = Options.SizeDivisible;
        var h = (long)Math.Ceiling(images.Max(i => i.size(1)) / (double)d) * d;
        var w = (long)Math.Ceiling(images.Max(i => i.size(2)) / (double)d) * d;
        var batch = torch.zeros(new[] { images.Count, c, h, w }, images[0].dtype, images[0].device);
        using (torch.no_grad())
            for (var i = 0; i < images.Count; i++)
                batch.select(0, i).narrow(1, 0, images[i].size(1)).narrow(2, 0, images[i].size(2)).copy_(images[i]);
        return batch;
    }

    /// <summary>
    /// Detections from the batch's coordinates back to the input images': boxes rescaled, and mask
    /// probabilities [n, 1, M, M] pasted into the input image size (<see cref="MaskPaste"/>).
    /// </summary>
    public (Tensor Boxes, Tensor Masks) Postprocess(Tensor boxes, Tensor masks, (int Height, int Width) resized, (int Height, int Width) original)
    {
        using var scope = torch.NewDisposeScope();
        var b = resized == original ? boxes.alias() : ResizeBoxes(boxes, resized, original);
        var pasted = MaskPaste.PasteMasksInImage(masks, b, original);
        scope.MoveToOuter(b, pasted);
        return (b, pasted);
    }
}
