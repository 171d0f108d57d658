namespace US3L.Tests.Data;

public class DataLoaderTests
{
    // 103 tiny images whose first pixel is the image index (mod 256) and label index mod 4.
    private static InMemoryImageDataset Indexed(int n = 103)
    {
        var pixels = new byte[n * 2 * 2];
        for (var i = 0; i < n; i++) pixels[i * 4] = (byte)i;
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 4)).ToArray();
        return new InMemoryImageDataset("indexed", 1, 2, 2, new[] { "a", "b", "c", "d" }, pixels, labels);
    }

    /// <summary>Each batch as (epoch, index, first pixels, labels), disposing the tensors.</summary>
    private static List<(int Epoch, int Index, byte[] Ids, long[] Labels)> Collect(IEnumerable<ImageBatch> batches)
    {
        var result = new List<(int, int, byte[], long[])>();
        foreach (var batch in batches)
            using (batch)
            {
                var pixels = batch.Images.ToArray<byte>();
                var ids = Enumerable.Range(0, batch.Size).Select(i => pixels[i * 4]).ToArray();
                result.Add((batch.Epoch, batch.Index, ids, batch.Labels.ToArray<long>()));
            }
        return result;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void An_epoch_covers_every_image_once_with_matching_labels(int prefetch)
    {
        var loader = new DataLoader(Indexed(), batchSize: 10, seed: 5, prefetch: prefetch);
        Assert.Equal(11, loader.BatchesPerEpoch);
        var batches = Collect(loader.Epoch(0));
        Assert.Equal(11, batches.Count);
        Assert.Equal(Enumerable.Range(0, 11), batches.Select(b => b.Index));
        Assert.Equal(3, batches[^1].Ids.Length);
        var ids = batches.SelectMany(b => b.Ids).Select(i => (int)i).ToArray();
        Assert.Equal(Enumerable.Range(0, 103), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 103), ids);
        foreach (var b in batches)
            Assert.Equal(b.Ids.Select(i => (long)(i % 4)), b.Labels);
    }

    [Fact]
    public void Shuffle_is_deterministic_per_epoch_and_differs_between_epochs_and_seeds()
    {
        var loader = new DataLoader(Indexed(), batchSize: 16, seed: 5);
        var first = Collect(loader.Epoch(3)).SelectMany(b => b.Ids).ToArray();
        var again = Collect(loader.Epoch(3)).SelectMany(b => b.Ids).ToArray();
        var serial = Collect(new DataLoader(Indexed(), batchSize: 16, seed: 5, prefetch: 0).Epoch(3)).SelectMany(b => b.Ids).ToArray();
        var next = Collect(loader.Epoch(4)).SelectMany(b => b.Ids).ToArray();
        var otherSeed = Collect(new DataLoader(Indexed(), batchSize: 16, seed: 6).Epoch(3)).SelectMany(b => b.Ids).ToArray();
        Assert.Equal(first, again);
        Assert.Equal(first, serial);
        Assert.NotEqual(first, next);
        Assert.NotEqual(first, otherSeed);
        Assert.Equal(loader.Order(3).Select(i => (byte)i), first);
    }

    [Fact]
    public void Without_shuffle_the_order_is_the_dataset_order()
    {
        var ids = Collect(new DataLoader(Indexed(), batchSize: 50, shuffle: false).Epoch(7)).SelectMany(b => b.Ids);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (byte)i), ids);
    }

    [Fact]
    public void Drop_last_drops_the_short_batch()
    {
        var loader = new DataLoader(Indexed(), batchSize: 10, dropLast: true);
        Assert.Equal(10, loader.BatchesPerEpoch);
        Assert.Equal(100, loader.ImagesPerEpoch);
        var batches = Collect(loader.Epoch(0));
        Assert.All(batches, b => Assert.Equal(10, b.Ids.Length));
        Assert.Throws<ArgumentException>(() => new DataLoader(Indexed(5), batchSize: 10, dropLast: true));
    }

    [Fact]
    public void Resuming_at_epoch_and_batch_gives_the_remaining_batches()
    {
        var loader = new DataLoader(Indexed(), batchSize: 8, seed: 11);
        var full = Collect(loader.Epochs(0, 3));
        Assert.Equal(3 * 13, full.Count);
        var resumed = Collect(loader.Epochs(1, 3, startBatch: 5));
        var expected = full.Where(b => b.Epoch > 1 || (b.Epoch == 1 && b.Index >= 5)).ToList();
        Assert.Equal(expected.Count, resumed.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Epoch, expected[i].Index), (resumed[i].Epoch, resumed[i].Index));
            Assert.Equal(expected[i].Ids, resumed[i].Ids);
        }
        Assert.Empty(Collect(loader.Epoch(0, startBatch: 13)));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(0, startBatch: 14));
    }

    [Fact]
    public void Stopping_early_shuts_the_worker_down_and_the_loader_stays_usable()
    {
        var loader = new DataLoader(Indexed(), batchSize: 4, prefetch: 3);
        for (var round = 0; round < 20; round++)
        {
            var taken = 0;
            foreach (var batch in loader.Epoch(round))
            {
                batch.Dispose();
                if (++taken == 2) break;
            }
        }
        Assert.Equal(26, Collect(loader.Epoch(0)).Count);
    }

    [Fact]
    public void A_failure_in_the_worker_reaches_the_consumer_after_the_good_batches()
    {
        var loader = new DataLoader(new FailingDataset(failAt: 25), batchSize: 10, shuffle: false, prefetch: 2);
        var seen = 0;
        var e = Assert.Throws<DatasetException>(() =>
        {
            foreach (var batch in loader.Epoch(0)) { batch.Dispose(); seen++; }
        });
        Assert.Equal(2, seen);
        Assert.Contains("image 25", e.Message);
    }

    [Fact]
    public void Real_fashion_mnist_batches_have_the_expected_shape()
    {
        var loader = new DataLoader(FashionMnist.Load(train: false, subset: Subset.First(600)), batchSize: 256, seed: 1, dropLast: true);
        var count = 0;
        foreach (var batch in loader.Epoch(0))
            using (batch)
            {
                Assert.Equal(new long[] { 256, 1, 28, 28 }, batch.Images.shape);
                Assert.Equal(new long[] { 256 }, batch.Labels.shape);
                count++;
            }
        Assert.Equal(2, count);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Indexed(), batchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Indexed(), batchSize: 4, prefetch: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Indexed(), batchSize: 4).Order(-1));
    }

    private sealed class FailingDataset(int failAt) : ImageDataset("failing", 1, 2, 2, new[] { "x" })
    {
        public override int Count => 100;
        public override long Label(int index) => 0;
        public override void CopyImage(int index, Span<byte> destination)
        {
            if (index == failAt) throw new DatasetException($"image {index} is broken");
            destination[..4].Clear();
        }
    }
}
