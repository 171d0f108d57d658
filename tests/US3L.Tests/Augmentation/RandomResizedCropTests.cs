using US3L.Augmentation;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Tests.Augmentation;

public class RandomResizedCropTests
{
    [Fact]
    public void SampleBox_follows_torchvisions_rule_for_a_successful_attempt()
    {
        // Attempt 1: area 0.5 * 1024 = 512, ratio e^0 = 1 → 23 x 23 (round(22.63)); offsets floor(u * 10).
        var u = new double[40];
        (u[0], u[1], u[2], u[3]) = ((0.5 - 0.2) / 0.8, 0.5, 0.35, 0.99);
        var box = RandomResizedCrop.SampleBox(32, 32, (0.2, 1.0), (3.0 / 4, 4.0 / 3), u);
        Assert.Equal(new CropBox(3, 9, 23, 23), box);
    }

    [Fact]
    public void SampleBox_skips_failed_attempts_and_falls_back_to_a_centre_crop()
    {
        var u = Enumerable.Repeat(0.5, 40).ToArray();
        // Area fraction 2.5 never fits; wide image, ratio capped at 1: centred 16 x 16 square.
        Assert.Equal(new CropBox(0, 8, 16, 16), RandomResizedCrop.SampleBox(16, 32, (2.0, 3.0), (1.0, 1.0), u));
        // Tall image, min ratio 1: the crop is as wide as the image, height round(w / 1).
        Assert.Equal(new CropBox(8, 0, 16, 16), RandomResizedCrop.SampleBox(32, 16, (2.0, 3.0), (1.0, 1.0), u));
        // Ratio within range: the whole image.
        Assert.Equal(new CropBox(0, 0, 20, 30), RandomResizedCrop.SampleBox(20, 30, (2.0, 3.0), (0.5, 2.0), u));
    }

    [Fact]
    public void Sampled_boxes_stay_inside_the_image_with_area_in_scale()
    {
        using var g = new Generator(3);
        var crop = new RandomResizedCrop(32, scale: (0.2, 1.0));
        foreach (var box in crop.SampleBoxes(500, 32, 32, g))
        {
            Assert.InRange(box.Top, 0, 32 - box.Height);
            Assert.InRange(box.Left, 0, 32 - box.Width);
            // Rounding each side by up to half a pixel moves the area a little outside the range.
            Assert.InRange(box.Height * box.Width / 1024.0, 0.2 * 0.85, 1.0);
            Assert.InRange(box.Width / (double)box.Height, 0.75 * 0.85, 4.0 / 3 * 1.15);
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear, "bilinear")]
    [InlineData(Interpolation.Bicubic, "bicubic")]
    public void Batched_resampling_equals_cropping_then_interpolating_each_sample(Interpolation interpolation, string mode)
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.Random(6, 3, 20, 24);
        var boxes = new[] { new CropBox(0, 0, 20, 24), new CropBox(3, 5, 9, 13), new CropBox(10, 2, 10, 7), new CropBox(1, 1, 4, 4), new CropBox(0, 12, 20, 12), new CropBox(7, 0, 5, 24) };
        var y = RandomResizedCrop.Resample(x, boxes, 16, 18, interpolation);
        Assert.Equal(new long[] { 6, 3, 16, 18 }, y.shape);
        for (var b = 0; b < boxes.Length; b++)
        {
            var box = boxes[b];
            var crop = x.narrow(0, b, 1).narrow(2, box.Top, box.Height).narrow(3, box.Left, box.Width);
            var expected = F.interpolate(crop, size: (16, 18), mode: mode, align_corners: false).clamp(0, 1);
            Images.Close(expected, y.narrow(0, b, 1), 2e-5);
        }
    }

    [Fact]
    public void Full_scale_square_crop_at_the_input_size_is_the_identity()
    {
        using var scope = torch.NewDisposeScope();
        var x = Images.RandomBytes(4, 3, 16, 16);
        using var g = new Generator(0);
        var y = new RandomResizedCrop(16, scale: (1, 1), ratio: (1, 1)).Apply(x, g);
        Images.Close(x.to(ScalarType.Float32) / 255.0, y, 1e-6);
    }

    [Fact]
    public void Output_is_float32_at_the_requested_size_for_uint8_input()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(0);
        var y = new RandomResizedCrop(12, 10).Apply(Images.RandomBytes(5, 1, 28, 28), g);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.Equal(new long[] { 5, 1, 12, 10 }, y.shape);
        Assert.InRange(y.min().item<float>(), 0f, 1f);
        Assert.InRange(y.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_the_expectation()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(32, scale: (0.5, 0.2)));
        Assert.Contains("0 < min <= max", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(0));
        using var g = new Generator(0);
        using var flat = torch.zeros(3, 32, 32);
        var bad = Assert.Throws<ArgumentException>(() => new RandomResizedCrop(8).Apply(flat, g));
        Assert.Contains("[B, C, H, W]", bad.Message);
        using var ints = torch.zeros(new long[] { 1, 1, 4, 4 }, ScalarType.Int64);
        Assert.Contains("uint8", Assert.Throws<ArgumentException>(() => new RandomResizedCrop(8).Apply(ints, g)).Message);
    }
}
