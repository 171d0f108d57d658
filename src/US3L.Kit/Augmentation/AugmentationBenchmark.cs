using System.Diagnostics;
using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// One recipe measurement. An image is one input image; a two-view recipe produces two augmented
/// views per image, so its views per second are twice the images per second.
/// </summary>
public sealed record AugmentationThroughput(string Recipe, string Input, string Device, int BatchSize, int Views, int Batches, double Seconds)
{
    public double ImagesPerSecond => (double)BatchSize * Batches / Seconds;

    public override string ToString() =>
        $"{Recipe} on {Input} ({Device}), batch {BatchSize}, {Views} view{(Views == 1 ? "" : "s")}: " +
        $"{ImagesPerSecond:N0} img/s ({Batches} batches in {Seconds:F2} s)";
}

/// <summary>
/// Measures every recipe on synthetic uint8 batches: 28x28 grayscale for the Fashion-MNIST
/// recipes, 32x32 RGB for the others (ImageNet-style recipes at output size 32).
/// </summary>
public static class AugmentationBenchmark
{
    public static IReadOnlyList<AugmentationThroughput> Run(int batchSize = 256, int batches = 20, Device? device = null, long seed = 0)
    {
        if (batchSize < 1 || batches < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "AugmentationBenchmark: batch size and batch count must be positive.");
        var target = device ?? Device.CPU;
        var results = new List<AugmentationThroughput>();
        using var generator = new Generator(seed);
        foreach (var name in AugmentationRecipes.Names)
        {
            var probe = AugmentationRecipes.Get(name);
            var (channels, side) = probe.Channels == 1 ? (1, 28) : (3, 32);
            var recipe = AugmentationRecipes.Get(name, side);
            using var images = torch.randint(0, 256, new long[] { batchSize, channels, side, side }, ScalarType.UInt8, Device.CPU, generator).to(target);
            Measure(recipe, images, generator, 2); // warm-up: JIT, allocator
            var watch = Stopwatch.StartNew();
            Measure(recipe, images, generator, batches);
            var seconds = watch.Elapsed.TotalSeconds;
            results.Add(new AugmentationThroughput(name, $"{side}x{side}x{channels}", target.ToString(), batchSize, recipe.IsTwoView ? 2 : 1, batches, seconds));
        }
        return results;
    }

    private static void Measure(AugmentationRecipe recipe, Tensor images, Generator generator, int batches)
    {
        for (var i = 0; i < batches; i++)
        {
            using var scope = torch.NewDisposeScope();
            if (recipe.View2 is null) recipe.View1.Apply(images, generator);
            else recipe.TwoViews().Apply(images, generator);
            if (images.is_cuda) torch.cuda.synchronize();
        }
    }
}
