using US3L.Augmentation;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Tests.Augmentation;

/// <summary>Flip, grayscale, solarize, blur, noise, resize, center crop.</summary>
public class PixelOpsTests
{
    [Fact]
    public void Probability_zero_ops_are_the_identity_and_probability_one_ops_touch_every_sample()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(8, 3, 7, 7);
        using var g = new Generator(5);
        RandomAugmentation[] ops = { new HorizontalFlip(0), new RandomGrayscale(0), new Solarize(p: 0), new GaussianBlur(3, p: 0), new GaussianNoise(p: 0) };
        foreach (var op in ops) Images.Identical(x, op.Apply(x, g));
        Images.Identical(x.flip(3), new HorizontalFlip(1).Apply(x, g));
        Images.Identical(ColorOps.Grayscale(x).expand_as(x), new RandomGrayscale(1).Apply(x, g));
        Images.Identical(torch.where(x.ge(0.5), 1 - x, x), new Solarize(0.5, p: 1).Apply(x, g));
    }

    [Fact]
    public void Flip_mirrors_exactly_the_sampled_subset()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(64, 1, 3, 4);
        using var g = new Generator(6);
        var y = new HorizontalFlip(0.5).Apply(x, g);
        var flipped = 0;
        for (var b = 0; b < 64; b++)
        {
            var same = Images.MaxAbsDiff(x[b], y[b]) == 0;
            if (!same) { Images.Identical(x[b].flip(2), y[b]); flipped++; }
        }
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void Blur_equals_a_reflect_padded_2d_gaussian_convolution_per_sample()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(4, 3, 9, 10);
        var blur = new GaussianBlur(5);
        var sigmas = new[] { 0.3, 1.0, 2.0, 0.7 };
        var selected = new[] { 0, 2, 3 };
        var y = blur.Blur(x, selected, sigmas);
        Images.Identical(x[1], y[1]);
        foreach (var b in selected)
        {
            var k = torch.tensor(GaussianBlur.Kernel(5, sigmas[b]), 5);
            var kernel2d = k.outer(k).view(1, 1, 5, 5).expand(3, 1, 5, 5);
            var expected = F.conv2d(F.pad(x.narrow(0, b, 1), new long[] { 2, 2, 2, 2 }, "reflect"), kernel2d, groups: 3);
            Images.Close(expected, y.narrow(0, b, 1), 1e-6);
        }
        var kernel = GaussianBlur.Kernel(23, 1.5);
        Assert.Equal(1.0, kernel.Sum(), 5);
        Assert.Equal(23, GaussianBlur.KernelFor(224));
        Assert.Equal(3, GaussianBlur.KernelFor(28));
    }

    [Fact]
    public void Blur_rejects_a_kernel_too_large_for_the_image_and_even_kernels()
    {
        using var g = new Generator(1);
        using var x = torch.zeros(2, 1, 4, 4);
        Assert.Contains("reflect padding", Assert.Throws<ArgumentException>(() => new GaussianBlur(9, p: 1).Apply(x, g)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianBlur(4));
    }

    [Fact]
    public void Noise_stays_in_range_and_changes_only_selected_samples()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(32, 1, 6, 6);
        using var g = new Generator(8);
        var y = new GaussianNoise((0.05, 0.1), p: 0.5).Apply(x, g);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
        var changed = Enumerable.Range(0, 32).Count(b => Images.MaxAbsDiff(x[b], y[b]) > 0);
        Assert.InRange(changed, 6, 26);
        var noise = (y - x).abs().max().item<float>();
        Assert.InRange(noise, 0.05f, 0.6f);
    }

    [Fact]
    public void Resize_and_center_crop_follow_torchvision()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(2, 3, 32, 32);
        using var g = new Generator(0);
        var resized = new Resize(36, Interpolation.Bicubic).Apply(x, g);
        Images.Close(F.interpolate(x, size: 36, mode: "bicubic", align_corners: false).clamp(0, 1), resized, 1e-6);
        var cropped = new CenterCrop(32).Apply(resized, g);
        Images.Identical(resized.narrow(2, 2, 32).narrow(3, 2, 32), cropped);
        // Shorter side to the size: 20 x 30 -> 24 x 36; odd margins round half to even (13 / 2 = 6.5 -> 6).
        Assert.Equal(new long[] { 1, 1, 24, 36 }, new Resize(24).Apply(torch.rand(1, 1, 20, 30), g).shape);
        var wide = torch.arange(0.0, 33.0, dtype: ScalarType.Float32).view(1, 1, 1, 33).expand(1, 1, 20, 33);
        Assert.Equal(6f, new CenterCrop(20).Apply(wide, g)[0][0][0][0].item<float>());
        Images.Identical(x, new Resize(32).Apply(x, g));
        Assert.Contains("at least that large", Assert.Throws<ArgumentException>(() => new CenterCrop(40).Apply(x, g)).Message);
    }
}
