namespace US3L.Tests.Augmentation;

/// <summary>Seeded test images and tensor comparisons for the augmentation tests.</summary>
internal static class Images
{
    /// <summary>Random float images [B, C, H, W] in [0, 1].</summary>
    public static Tensor Random(long batch, long channels, long height, long width, long seed = 1)
    {
        using var g = new Generator(seed);
        return torch.rand(new[] { batch, channels, height, width }, ScalarType.Float32, Device.CPU, g);
    }

    /// <summary>Random uint8 images [B, C, H, W].</summary>
    public static Tensor RandomBytes(long batch, long channels, long height, long width, long seed = 1)
    {
        using var g = new Generator(seed);
        return torch.randint(0, 256, new[] { batch, channels, height, width }, ScalarType.UInt8, Device.CPU, g);
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance)
    {
        var diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= tolerance, $"max |difference| {diff:G4} exceeds {tolerance:G4}");
    }

    public static void Identical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.to(ScalarType.Float32).ToArray<float>(), actual.ToArray<float>());
    }

    /// <summary>Per-sample column [B, 1, 1, 1].</summary>
    public static Tensor Column(params float[] values) => torch.tensor(values, values.Length, 1, 1, 1);
}
