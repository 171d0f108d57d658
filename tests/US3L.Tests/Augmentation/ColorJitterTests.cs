using US3L.Augmentation;
using Sample = US3L.Augmentation.ColorJitter.Sample;

namespace US3L.Tests.Augmentation;

public class ColorJitterTests
{
    private static readonly int[] Bcsh = { 0, 1, 2, 3 };

    [Fact]
    public void Identity_factors_give_exactly_the_input()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(3, 3, 6, 6);
        var samples = Enumerable.Range(0, 3).Select(_ => new Sample(1, 1, 1, 0, Bcsh)).ToArray();
        Images.Identical(x, ColorJitter.ApplyParams(x, samples));
        using var g = new Generator(1);
        Images.Identical(x, new ColorJitter(0.4, 0.4, 0.4, 0.1, p: 0).Apply(x, g));
        Images.Identical(x, new ColorJitter(p: 1).Apply(x, g));
    }

    [Fact]
    public void Each_sample_follows_its_own_order_of_ops()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(2, 3, 5, 5, seed: 4);
        var orders = new[] { new[] { 3, 2, 1, 0 }, new[] { 1, 0, 3, 2 } };
        var samples = new[] { new Sample(1.2, 0.7, 1.4, 0.15, orders[0]), new Sample(0.8, 1.3, 0.5, -0.2, orders[1]) };
        var y = ColorJitter.ApplyParams(x, samples);
        for (var b = 0; b < 2; b++)
        {
            var expected = x.narrow(0, b, 1);
            var s = samples[b];
            foreach (var op in orders[b])
                expected = op switch
                {
                    0 => ColorOps.Brightness(expected, Images.Column((float)s.Brightness)),
                    1 => ColorOps.Contrast(expected, Images.Column((float)s.Contrast)),
                    2 => ColorOps.Saturation(expected, Images.Column((float)s.Saturation)),
                    _ => ColorOps.Hue(expected, Images.Column((float)s.Hue)),
                };
            Images.Close(expected, y.narrow(0, b, 1), 1e-6);
        }
        // The order matters: the same factors in the fixed order give something else.
        var fixedOrder = ColorJitter.ApplyParams(x, samples.Select(s => s with { Order = Bcsh }).ToArray());
        Assert.True(Images.MaxAbsDiff(fixedOrder, y) > 1e-3);
    }

    [Fact]
    public void Sampled_factors_lie_in_torchvisions_ranges_and_orders_vary()
    {
        using var g = new Generator(9);
        var jitter = new ColorJitter(0.4, 0.4, 0.2, 0.1);
        var active = Enumerable.Range(0, 400).Select(i => i % 5 != 0).ToArray();
        var samples = jitter.SampleParams(active, g);
        for (var b = 0; b < samples.Length; b++)
        {
            var s = samples[b];
            Assert.Equal(Bcsh, s.Order.OrderBy(o => o));
            if (!active[b])
            {
                Assert.Equal((1.0, 1.0, 1.0, 0.0), (s.Brightness, s.Contrast, s.Saturation, s.Hue));
                continue;
            }
            Assert.InRange(s.Brightness, 0.6, 1.4);
            Assert.InRange(s.Contrast, 0.6, 1.4);
            Assert.InRange(s.Saturation, 0.8, 1.2);
            Assert.InRange(s.Hue, -0.1, 0.1);
        }
        Assert.Equal(24, samples.Select(s => string.Join("", s.Order)).Distinct().Count());
    }

    [Fact]
    public void Grayscale_images_get_brightness_and_contrast_only()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(1, 1, 6, 6);
        var y = ColorJitter.ApplyParams(x, new[] { new Sample(1.1, 0.5, 0.2, 0.3, new[] { 2, 3, 0, 1 }) });
        var expected = ColorOps.Contrast(ColorOps.Brightness(x, Images.Column(1.1f)), Images.Column(0.5f));
        Images.Close(expected, y, 1e-6);
    }

    [Fact]
    public void Jittered_values_stay_in_the_unit_interval()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(2);
        var y = new ColorJitter(0.8, 0.8, 0.8, 0.5).Apply(Images.RandomBytes(32, 3, 8, 8), g);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void Other_channel_counts_are_rejected()
    {
        using var g = new Generator(2);
        using var x = torch.zeros(2, 2, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => new ColorJitter(0.4).Apply(x, g));
        Assert.Contains("1 (grayscale) or 3 (RGB) channels", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ColorJitter(hue: 0.7));
    }
}
