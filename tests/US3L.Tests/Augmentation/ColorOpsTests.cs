using System.Globalization;
using US3L.Augmentation;
using US3L.Tests.Data;

namespace US3L.Tests.Augmentation;

public class ColorOpsTests
{
    [Fact]
    public void Grayscale_uses_the_luma_weights()
    {
        using var x = torch.tensor(new float[] { 1, 0, 0.5f, 0, 1, 0.25f, 0, 0, 1 }, 1, 3, 1, 3);
        using var gray = ColorOps.Grayscale(x);
        var expected = new[] { 0.299, 0.587, 0.5 * 0.299 + 0.25 * 0.587 + 0.114 };
        Assert.Equal(expected, gray.ToArray<float>().Select(v => (double)v), new ToleranceComparer(1e-6));
    }

    [Fact]
    public void Brightness_contrast_and_saturation_match_their_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(2, 3, 5, 4);
        var f = Images.Column(1.3f, 0.6f);
        var (r, g, b) = (x.narrow(1, 0, 1), x.narrow(1, 1, 1), x.narrow(1, 2, 1));
        var luma = r * 0.299 + g * 0.587 + b * 0.114;
        Images.Close((x * f).clamp(0, 1), ColorOps.Brightness(x, f), 1e-6);
        var meanLuma = luma.mean(new long[] { 1, 2, 3 }, keepdim: true);
        Images.Close(((x - meanLuma) * f + meanLuma).clamp(0, 1), ColorOps.Contrast(x, f), 1e-6);
        Images.Close(((x - luma) * f + luma).clamp(0, 1), ColorOps.Saturation(x, f), 1e-6);
    }

    [Fact]
    public void Solarize_inverts_pixels_at_or_above_the_threshold()
    {
        using var x = torch.tensor(new float[] { 0, 127 / 255f, 128 / 255f, 1 }, 1, 1, 1, 4);
        using var y = ColorOps.Solarize(x, Solarize.PilThreshold);
        Assert.Equal(new[] { 0f, 127 / 255f, 1 - 128 / 255f, 0f }, y.ToArray<float>());
    }

    [Fact]
    public void Hue_matches_torchvisions_adjust_hue_and_zero_shift_is_the_identity()
    {
        using var scope = torch.NewDisposeScope();
        // Include grey pixels and pixels with ties between channels, the special cases of rgb->hsv.
        var x = Images.Random(3, 3, 4, 5, seed: 7);
        x = torch.cat(new[] { x, torch.full(new long[] { 1, 3, 4, 5 }, 0.4) });
        x.narrow(0, 0, 1).narrow(2, 0, 1).narrow(1, 1, 1).copy_(x.narrow(0, 0, 1).narrow(2, 0, 1).narrow(1, 0, 1));
        var shifts = new[] { 0.1f, -0.37f, 0.5f, 0.2f };
        var y = ColorOps.Hue(x, Images.Column(shifts));
        var expected = TorchvisionHue(x, shifts);
        Images.Close(expected, y, 2e-6);
        Images.Close(x, ColorOps.Hue(x, Images.Column(0, 0, 0, 0)), 2e-6);
    }

    [Fact]
    public void Normalize_checks_the_channel_count()
    {
        using var x = torch.zeros(2, 1, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => ColorOps.Normalize(x, Normalize.CifarMean, Normalize.CifarStd));
        Assert.Contains("expected 1 means and stds", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normalize(new[] { 0.5 }, new[] { 0.0 }));
    }

    /// <summary>torchvision's functional_tensor adjust_hue (_rgb2hsv, _hsv2rgb), run by PyTorch.</summary>
    private static Tensor TorchvisionHue(Tensor x, float[] shifts)
    {
        const string script = """
import sys, torch
def rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    cr_divisor = torch.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = hr + hg + hb
    h = torch.fmod((h / 6.0 + 1.0), 1.0)
    return torch.stack((h, s, maxc), dim=-3)
def hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.to(dtype=torch.int32)
    p = torch.clamp((v * (1.0 - s)), 0.0, 1.0)
    q = torch.clamp((v * (1.0 - s * f)), 0.0, 1.0)
    t = torch.clamp((v * (1.0 - s * (1.0 - f))), 0.0, 1.0)
    i = i % 6
    mask = i.unsqueeze(dim=-3) == torch.arange(6, device=i.device).view(-1, 1, 1)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    return torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)
shape = [int(v) for v in sys.argv[1].split(",")]
x = torch.tensor([float(v) for v in sys.argv[2].split(",")]).view(shape)
shifts = [float(v) for v in sys.argv[3].split(",")]
out = []
for img, hue in zip(x, shifts):
    hsv = rgb2hsv(img)
    h, s, v = hsv.unbind(dim=-3)
    h = (h + hue) % 1.0
    out.append(hsv2rgb(torch.stack((h, s, v), dim=-3)))
print(",".join(repr(float(v)) for v in torch.stack(out).flatten()))
""";
        string Join(IEnumerable<float> v) => string.Join(",", v.Select(f => f.ToString("R", CultureInfo.InvariantCulture)));
        var output = Python.Run(script, string.Join(",", x.shape), Join(x.contiguous().ToArray<float>()), Join(shifts));
        var values = output.Trim().Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return torch.tensor(values, x.shape);
    }
}

internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(double v) => 0;
}
