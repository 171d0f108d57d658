using US3L.Data;
using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>
/// A per-sample detection augmentation that moves boxes and masks with the image (science.md 10.3).
/// Random choices come from a <see cref="SeededRandom"/> the loader derives from (seed, epoch,
/// image), so an image's augmentation does not depend on its batch or thread.
/// </summary>
public abstract class DetectionTransform
{
    /// <summary>
    /// Transforms <paramref name="sample"/> and takes ownership of it: returns it unchanged, or a new
    /// sample after disposing it.
    /// </summary>
    public abstract DetectionSample Apply(DetectionSample sample, SeededRandom random);

    /// <summary>A target with new boxes, masks and areas and copies of the rest.</summary>
    internal static DetectionTarget Replace(DetectionTarget t, Tensor boxes, Tensor masks, Tensor area) =>
        new(t.ImageId, boxes, t.Labels.clone(), masks, t.IsCrowd.clone(), area);
}

/// <summary>Applies transforms in order.</summary>
public sealed class DetectionCompose(params DetectionTransform[] transforms) : DetectionTransform
{
    public IReadOnlyList<DetectionTransform> Transforms { get; } = transforms;

    public override DetectionSample Apply(DetectionSample sample, SeededRandom random)
    {
        foreach (var t in Transforms) sample = t.Apply(sample, random);
        return sample;
    }
}

/// <summary>
/// Mirrors the image left-right with probability <see cref="P"/>, with its masks, and boxes
/// x1' = W - x2, x2' = W - x1 (torchvision's detection RandomHorizontalFlip). One number is drawn
/// per sample whether or not it flips.
/// </summary>
public sealed class DetectionHorizontalFlip : DetectionTransform
{
    public DetectionHorizontalFlip(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "DetectionHorizontalFlip: p must be in [0, 1].");
        P = p;
    }

    public double P { get; }

    public override DetectionSample Apply(DetectionSample sample, SeededRandom random)
    {
        if (random.NextDouble() >= P) return sample;
        using var scope = torch.NewDisposeScope();
        var t = sample.Target;
        var w = (double)sample.Width;
        var b = t.Boxes;
        var boxes = torch.stack(new[] { w - b.select(1, 2), b.select(1, 1), w - b.select(1, 0), b.select(1, 3) }, dim: 1);
        var flipped = new DetectionSample(sample.Image.flip(2), Replace(t, boxes, t.Masks.flip(2), t.Area.clone()));
        sample.Dispose();
        return flipped;
    }
}

/// <summary>
/// Resizes as torchvision's GeneralizedRCNNTransform: the shorter side to a min size (drawn from
/// <see cref="MinSizes"/> when there are several, as multi-scale training does) unless the longer
/// side would then exceed <see cref="MaxSize"/>, in which case the longer side to MaxSize; or, with
/// <see cref="Fixed"/>, to one fixed size. The scale is computed in float32 and the output size is
/// floor(side × scale), both rounded as torchvision rounds them; the image is resampled bilinearly
/// (align_corners false) and comes out float32 in [0, 1]; masks use nearest neighbours; boxes are
/// scaled by new/old size per axis; areas by the product of the two ratios.
/// </summary>
public sealed class DetectionResize : DetectionTransform
{
    public DetectionResize(int minSize, int maxSize) : this(new[] { minSize }, maxSize) { }

    public DetectionResize(IReadOnlyList<int> minSizes, int maxSize)
    {
        if (minSizes.Count == 0 || minSizes.Any(s => s < 1))
            throw new ArgumentException($"DetectionResize: min sizes must be positive, got [{string.Join(", ", minSizes)}].", nameof(minSizes));
        if (maxSize < minSizes.Max())
            throw new ArgumentException($"DetectionResize: maxSize {maxSize} is below the largest min size {minSizes.Max()}.", nameof(maxSize));
        MinSizes = minSizes.ToArray();
        MaxSize = maxSize;
    }

    private DetectionResize((int Height, int Width) size)
    {
        if (size.Height < 1 || size.Width < 1) throw new ArgumentException($"DetectionResize: a fixed size must be positive, got {size}.");
        MinSizes = Array.Empty<int>();
        FixedSize = size;
    }

    /// <summary>Every image to <paramref name="height"/> × <paramref name="width"/> (aspect ratio not kept).</summary>
    public static DetectionResize Fixed(int height, int width) => new((height, width));

    public IReadOnlyList<int> MinSizes { get; }
    public int MaxSize { get; }
    public (int Height, int Width)? FixedSize { get; }

    /// <summary>The output size for an image of <paramref name="height"/> × <paramref name="width"/> and one min size.</summary>
    public static (int Height, int Width) OutputSize(int height, int width, int minSize, int maxSize)
    {
        // torchvision divides a Python float by a float32 tensor, which PyTorch computes as
        // reciprocal(side) * size in float32; the same rounding decides floor(side * scale).
        var scale = MathF.Min(1f / Math.Min(height, width) * minSize, 1f / Math.Max(height, width) * maxSize);
        return ((int)Math.Floor(height * (double)scale), (int)Math.Floor(width * (double)scale));
    }

    public override DetectionSample Apply(DetectionSample sample, SeededRandom random)
    {
        var (h, w) = (sample.Height, sample.Width);
        var size = FixedSize ?? OutputSize(h, w, MinSizes.Count == 1 ? MinSizes[0] : MinSizes[random.NextInt(MinSizes.Count)], MaxSize);
        using var scope = torch.NewDisposeScope();
        var image = sample.Image.dtype == ScalarType.UInt8 ? sample.Image.to(ScalarType.Float32).div_(255.0) : sample.Image.to(ScalarType.Float32);
        var resized = F.interpolate(image.unsqueeze(0), size: (size.Height, size.Width), mode: "bilinear", align_corners: false).squeeze(0);
        var t = sample.Target;
        var masks = t.Count == 0
            ? torch.zeros(new long[] { 0, size.Height, size.Width }, ScalarType.UInt8, t.Masks.device)
            : F.interpolate(t.Masks.unsqueeze(1).to(ScalarType.Float32), size: (size.Height, size.Width), mode: "nearest").squeeze(1).to(ScalarType.UInt8);
        // torchvision divides the sizes as float32 tensors; the ratios are exact floats either way.
        var rh = (float)size.Height / h;
        var rw = (float)size.Width / w;
        var b = t.Boxes;
        var boxes = torch.stack(new[] { b.select(1, 0) * rw, b.select(1, 1) * rh, b.select(1, 2) * rw, b.select(1, 3) * rh }, dim: 1);
        var result = new DetectionSample(resized, Replace(t, boxes, masks, t.Area * (rh * (double)rw)));
        sample.Dispose();
        return result;
    }
}
