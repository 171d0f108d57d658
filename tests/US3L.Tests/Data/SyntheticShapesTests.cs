namespace US3L.Tests.Data;

public class SyntheticShapesTests
{
    [Fact]
    public void Same_seed_gives_the_same_images_and_a_larger_set_extends_a_smaller_one()
    {
        var a = SyntheticShapes.Generate(60, seed: 3);
        var b = SyntheticShapes.Generate(60, seed: 3);
        var longer = SyntheticShapes.Generate(90, seed: 3);
        var other = SyntheticShapes.Generate(60, seed: 4);
        Assert.True(a.Pixels.SequenceEqual(b.Pixels));
        Assert.True(a.Pixels.SequenceEqual(longer.Pixels[..a.Pixels.Length]));
        Assert.False(a.Pixels.SequenceEqual(other.Pixels));
        Assert.Equal((3, 32, 32), (a.Channels, a.Height, a.Width));
        Assert.All(a.ClassCounts(), c => Assert.Equal(10, c));
        Assert.Equal("triangle", a.ClassNames[(int)a.Label(2)]);
    }

    [Fact]
    public void Images_vary_and_the_shape_contrasts_with_the_background()
    {
        var d = SyntheticShapes.Generate(24, seed: 1, side: 24);
        var images = Enumerable.Range(0, d.Count).Select(d.GetImage).ToArray();
        Assert.Equal(d.Count, images.Select(Convert.ToHexString).Distinct().Count());
        foreach (var image in images)
        {
            // The foreground/background luminance gap is at least 70, so every image has a wide range.
            var min = image.Min();
            var max = image.Max();
            Assert.True(max - min > 60, $"range {min}-{max}");
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticShapes.Generate(0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticShapes.Generate(5, seed: 1, side: 8));
    }
}
