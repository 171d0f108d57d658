using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Colour transforms of float images [B, C, H, W] in [0, 1] with per-sample factors [B, 1, 1, 1],
/// following torchvision's tensor functional ops (adjust_brightness / contrast / saturation / hue,
/// rgb_to_grayscale, solarize), with PIL's luma weights 0.299 / 0.587 / 0.114 (the reference code
/// transforms PIL images; torchvision's tensor path uses 0.2989 for red).
/// </summary>
public static class ColorOps
{
    public const double LumaR = 0.299, LumaG = 0.587, LumaB = 0.114;

    /// <summary>Luma [B, 1, H, W] of RGB images; a 1-channel image is its own luma.</summary>
    public static Tensor Grayscale(Tensor x)
    {
        var c = RequireGrayOrRgb(x, "Grayscale");
        if (c == 1) return x;
        return (x * LumaWeights(x)).sum(1, keepdim: true);
    }

    /// <summary>[1, 3, 1, 1] luma weights on the device of <paramref name="like"/>.</summary>
    internal static Tensor LumaWeights(Tensor like) =>
        torch.tensor<float>(new[] { (float)LumaR, (float)LumaG, (float)LumaB }, new long[] { 1, 3, 1, 1 }, like.device);

    /// <summary>torchvision's _blend: (f x + (1 - f) target).clamp(0, 1); f = 1 returns x exactly.</summary>
    public static Tensor Blend(Tensor x, Tensor target, Tensor factor) =>
        (x * factor + target * (1 - factor)).clamp_(0, 1);

    /// <summary>x f, clamped: blending with black.</summary>
    public static Tensor Brightness(Tensor x, Tensor factor) => (x * factor).clamp_(0, 1);

    /// <summary>(x - m) f + m, clamped, with m the mean luma of each image.</summary>
    public static Tensor Contrast(Tensor x, Tensor factor) =>
        Blend(x, Grayscale(x).mean(new long[] { 1, 2, 3 }, keepdim: true), factor);

    /// <summary>Blend with the per-pixel luma; a 1-channel image is returned as is (as torchvision).</summary>
    public static Tensor Saturation(Tensor x, Tensor factor) =>
        RequireGrayOrRgb(x, "Saturation") == 1 ? x : Blend(x, Grayscale(x), factor);

    /// <summary>
    /// Rotates the hue by <paramref name="shift"/> [B, 1, 1, 1] (in turns, [-0.5, 0.5]), as
    /// torchvision's RGB -> HSV, h = (h + shift) mod 1, HSV -> RGB, in fewer passes: a hue rotation
    /// keeps v = max and the chroma c = max - min, so with the sextant hue h6 = 6h taken from the
    /// channel holding the maximum ((g - b) / c, 2 + (b - r) / c or 4 + (r - g) / c; equal at ties),
    /// channel n of the result is v - c clamp(min(k, 4 - k), 0, 1), k = (n + h6 + 6 shift) mod 6,
    /// n = 5, 3, 1 (the closed form of torchvision's piecewise table). A 1-channel image is returned as is.
    /// </summary>
    public static Tensor Hue(Tensor x, Tensor shift)
    {
        if (RequireGrayOrRgb(x, "Hue") == 1) return x;
        var (v, argmax) = x.max(1, keepdim: true);
        var chroma = v - x.amin(1, keepdim: true);
        // (g - b, b - r, r - g): the candidate sextant hues per channel, before the offsets 0, 2, 4.
        var differences = x.roll(-1, 1) - x.roll(-2, 1);
        var candidates = differences / chroma.clamp_min(1e-12) + Constant(like: x, 0, 2, 4);
        var h6 = candidates.gather(1, argmax) + shift * 6;
        var k = (h6 + Constant(like: x, 5, 3, 1)).remainder(6.0);
        var ramp = torch.minimum(k, 4 - k).clamp_(0, 1);
        return v - chroma * ramp;
    }

    private static Tensor Constant(Tensor like, params float[] perChannel) =>
        torch.tensor<float>(perChannel, new long[] { 1, perChannel.Length, 1, 1 }, like.device);

    /// <summary>Inverts the pixels at or above <paramref name="threshold"/>: where(x >= t, 1 - x, x).</summary>
    public static Tensor Solarize(Tensor x, double threshold) => torch.where(x.ge(threshold), 1 - x, x);

    /// <summary>(x - mean) / std per channel.</summary>
    public static Tensor Normalize(Tensor x, IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        var c = x.size(1);
        if (mean.Count != c || std.Count != c)
            throw new ArgumentException(
                $"Normalize: expected {c} means and stds for images with {c} channels, got {mean.Count} and {std.Count}.");
        var m = torch.tensor<float>(mean.Select(v => (float)v).ToArray(), new long[] { 1, c, 1, 1 }, x.device);
        var s = torch.tensor<float>(std.Select(v => (float)v).ToArray(), new long[] { 1, c, 1, 1 }, x.device);
        return (x - m) / s;
    }

    internal static long RequireGrayOrRgb(Tensor x, string op)
    {
        var c = x.size(1);
        if (c != 1 && c != 3)
            throw new ArgumentException($"{op}: expected 1 (grayscale) or 3 (RGB) channels, got {c} in images {Augmentation.ShapeOf(x)}.");
        return c;
    }
}
