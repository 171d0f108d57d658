using US3L.Evaluation;

namespace US3L.Tests.Evaluation;

/// <summary>Small in-memory datasets and feature banks for the evaluation tests.</summary>
internal static class TinyData
{
    /// <summary>
    /// n images of 1×4×4 whose mean brightness encodes the class (class c is around 40 + 50·c), so a
    /// pixel-level classifier separates them; pixel noise comes from <paramref name="seed"/>.
    /// </summary>
    public static InMemoryImageDataset Images(int n, int classes = 3, int seed = 0, string name = "tiny")
    {
        var rng = new Random(seed);
        var pixels = new byte[n * 16];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (var p = 0; p < 16; p++) pixels[i * 16 + p] = (byte)Math.Clamp(40 + 50 * labels[i] + rng.Next(-15, 16), 0, 255);
        }
        var names = Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray();
        return new InMemoryImageDataset(name, 1, 4, 4, names, pixels, labels);
    }

    /// <summary>
    /// n images of <paramref name="channels"/>×side×side whose brightness encodes the class (class c
    /// around 30 + 190·c/(K − 1), pixel noise ±25), labels i mod K: linearly separable for any
    /// reasonable feature extractor, with or without crops and flips.
    /// </summary>
    public static InMemoryImageDataset Brightness(int n, int classes = 3, int side = 28, int channels = 1, int seed = 0, string name = "brightness")
    {
        var rng = new Random(seed);
        var size = channels * side * side;
        var pixels = new byte[n * size];
        var labels = new long[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            var level = 30 + 190 * labels[i] / (classes - 1);
            for (var p = 0; p < size; p++) pixels[i * size + p] = (byte)Math.Clamp(level + rng.Next(-25, 26), 0, 255);
        }
        return new InMemoryImageDataset(name, channels, side, side, Enumerable.Range(0, classes).Select(c => $"level{c}").ToArray(), pixels, labels);
    }

    /// <summary>Features [n, dim] float32 from a seeded normal distribution, labels i mod classes.</summary>
    public static FeatureBank Gaussian(int n, int dim, int classes, long seed, string name = "gaussian")
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(seed);
        var features = torch.randn(new long[] { n, dim }, generator: g);
        var labels = torch.tensor(Enumerable.Range(0, n).Select(i => (long)(i % classes)).ToArray(), n);
        return new FeatureBank(features, labels, classes, name);
    }
}
