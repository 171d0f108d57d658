using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>A crop rectangle in pixels: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);

/// <summary>
/// torchvision's RandomResizedCrop: per sample, a box of area fraction in <see cref="Scale"/> and
/// aspect ratio (w/h) log-uniform in <see cref="Ratio"/>, 10 attempts, then the fallback centre crop;
/// the box is resized to the output size. All boxes are resampled at once (see
/// <see cref="CropResize"/>), which equals cropping each sample and then interpolating with
/// align_corners = false (no antialiasing, as torchvision's tensor path).
/// </summary>
public sealed class RandomResizedCrop : Augmentation
{
    /// <summary>torchvision's number of tries before the centre-crop fallback.</summary>
    public const int Attempts = 10;

    public RandomResizedCrop(int size, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        Interpolation interpolation = Interpolation.Bilinear)
        : this(size, size, scale, ratio, interpolation) { }

    public RandomResizedCrop(int height, int width, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        Interpolation interpolation = Interpolation.Bilinear)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"RandomResizedCrop: output size must be positive, got {height}x{width}.");
        Scale = scale ?? (0.08, 1.0);
        Ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        if (!(Scale.Min > 0 && Scale.Min <= Scale.Max))
            throw new ArgumentOutOfRangeException(nameof(scale), $"RandomResizedCrop: scale must satisfy 0 < min <= max, got ({Scale.Min}, {Scale.Max}).");
        if (!(Ratio.Min > 0 && Ratio.Min <= Ratio.Max))
            throw new ArgumentOutOfRangeException(nameof(ratio), $"RandomResizedCrop: ratio must satisfy 0 < min <= max, got ({Ratio.Min}, {Ratio.Max}).");
        Height = height;
        Width = width;
        Interpolation = interpolation;
    }

    public int Height { get; }
    public int Width { get; }
    /// <summary>Range of the crop's area as a fraction of the image area.</summary>
    public (double Min, double Max) Scale { get; }
    /// <summary>Range of the crop's aspect ratio width / height (sampled log-uniformly).</summary>
    public (double Min, double Max) Ratio { get; }
    public Interpolation Interpolation { get; }

    protected internal override Tensor Forward(Tensor x, Generator generator)
    {
        var boxes = SampleBoxes((int)x.size(0), (int)x.size(2), (int)x.size(3), generator);
        return Resample(x, boxes, Height, Width, Interpolation);
    }

    /// <summary>One box per sample; always draws 4 numbers per attempt, 40 per sample.</summary>
    internal CropBox[] SampleBoxes(int batch, int height, int width, Generator generator)
    {
        var u = SampleRandom.Uniform(generator, batch * Attempts * 4);
        return Enumerable.Range(0, batch)
            .Select(b => SampleBox(height, width, Scale, Ratio, u.AsSpan(b * Attempts * 4, Attempts * 4)))
            .ToArray();
    }

    /// <summary>
    /// torchvision's RandomResizedCrop.get_params, with its uniform draws given: per attempt
    /// (area fraction, log ratio, row offset, column offset). Python's round (half to even) as there.
    /// </summary>
    internal static CropBox SampleBox(int height, int width, (double Min, double Max) scale, (double Min, double Max) ratio, ReadOnlySpan<double> u)
    {
        double area = (double)height * width;
        var logRatio = (Min: Math.Log(ratio.Min), Max: Math.Log(ratio.Max));
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var a = u.Slice(attempt * 4, 4);
            var targetArea = area * SampleRandom.Lerp(scale, a[0]);
            var aspect = Math.Exp(SampleRandom.Lerp(logRatio, a[1]));
            var w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            var h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                // torch.randint(0, n + 1): uniform over the n + 1 valid offsets.
                var top = Math.Min((int)(a[2] * (height - h + 1)), height - h);
                var left = Math.Min((int)(a[3] * (width - w + 1)), width - w);
                return new CropBox(top, left, h, w);
            }
        }
        // Fallback: the largest centred crop whose ratio is within range.
        var inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < ratio.Min) ch = (int)Math.Round(cw / ratio.Min);
        else if (inRatio > ratio.Max) cw = (int)Math.Round(ch * ratio.Max);
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>Crops box b out of sample b and resizes it to height x width, all samples at once.</summary>
    internal static Tensor Resample(Tensor x, CropBox[] boxes, int height, int width, Interpolation interpolation) =>
        CropResize.Apply(x, boxes, height, width, interpolation);
}
