using System.Diagnostics;
using US3L.Torch;

namespace US3L.Data;

/// <summary>One loader measurement: images per second over whole epochs.</summary>
public sealed record LoaderThroughput(string Dataset, int BatchSize, int Prefetch, bool ConsumerWork, int Epochs,
    long Images, double Seconds)
{
    public double ImagesPerSecond => Images / Seconds;

    public override string ToString() =>
        $"{Dataset} batch {BatchSize} shuffle prefetch {Prefetch} consumer {(ConsumerWork ? "float+normalise" : "none")}: " +
        $"{ImagesPerSecond:N0} img/s ({Images} images in {Seconds:F2} s)";
}

/// <summary>
/// Measures how fast a <see cref="DataLoader"/> delivers shuffled batches, with and without the
/// prefetch worker. "Consumer work" converts each batch to float and normalises it, the first
/// step of every training step, so prefetching has something to overlap with.
/// </summary>
public static class LoaderBenchmark
{
    public static IReadOnlyList<LoaderThroughput> Run(ImageDataset? dataset = null, int batchSize = 256, int epochs = 3, long seed = 0)
    {
        var data = dataset ?? FashionMnist.Load(train: true);
        var results = new List<LoaderThroughput>();
        foreach (var consumerWork in new[] { false, true })
            foreach (var prefetch in new[] { 0, 2 })
            {
                var loader = new DataLoader(data, batchSize, shuffle: true, seed: seed, prefetch: prefetch);
                Consume(loader, 0, consumerWork); // warm-up: JIT, allocator, page faults
                var watch = Stopwatch.StartNew();
                long images = 0;
                for (var e = 1; e <= epochs; e++) images += Consume(loader, e, consumerWork);
                results.Add(new LoaderThroughput(data.Name, batchSize, prefetch, consumerWork, epochs, images, watch.Elapsed.TotalSeconds));
            }
        return results;
    }

    private static long Consume(DataLoader loader, int epoch, bool consumerWork)
    {
        long images = 0;
        foreach (var batch in loader.Epoch(epoch))
            using (batch)
            {
                images += batch.Size;
                if (!consumerWork) continue;
                using var scope = torch.NewDisposeScope();
                var x = batch.Images.to(ScalarType.Float32).div(255.0).sub(0.5).div(0.25);
                _ = x.sum().item<float>();
            }
        return images;
    }
}
