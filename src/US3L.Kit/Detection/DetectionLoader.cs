using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using US3L.Data;

namespace US3L.Detection;

/// <summary>
/// A batch of detection samples, kept as a list because images differ in size (science.md 10.3).
/// Stacking them into one padded tensor (torchvision pads to a multiple of 32) is the detector's
/// input step: it reads <see cref="Images"/> and <see cref="Targets"/> here. Disposing the batch
/// disposes every sample.
/// </summary>
public sealed class DetectionBatch(IReadOnlyList<DetectionSample> samples, int epoch, int index) : IDisposable
{
    public IReadOnlyList<DetectionSample> Samples { get; } = samples;
    public int Epoch { get; } = epoch;
    /// <summary>Position of this batch within its epoch.</summary>
    public int Index { get; } = index;
    public int Size => Samples.Count;
    public IEnumerable<US3L.Torch.Tensor> Images => Samples.Select(s => s.Image);
    public IEnumerable<DetectionTarget> Targets => Samples.Select(s => s.Target);

    public void Dispose()
    {
        foreach (var s in Samples) s.Dispose();
    }
}

/// <summary>
/// Cuts a <see cref="DetectionDataset"/> into batches, epoch by epoch, as <see cref="DataLoader"/>
/// does for classification: epoch e's order is a permutation drawn from (seed, e), so a run resumed
/// at (epoch, batch) sees the batches it would have seen, and the augmentation of an image is drawn
/// from (seed, epoch, image index) alone. A batch's samples are read (and decoded) in parallel; with
/// <c>prefetch</c> &gt; 0 a worker thread prepares the next batches while the consumer trains.
/// The consumer owns each batch and disposes it.
/// </summary>
public sealed class DetectionLoader
{
    public DetectionLoader(DetectionDataset dataset, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false,
        DetectionTransform? transform = null, int prefetch = 2)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive, got {batchSize}.");
        if (prefetch < 0) throw new ArgumentOutOfRangeException(nameof(prefetch), $"prefetch must be 0 (off) or a positive queue length, got {prefetch}.");
        if (dropLast && dataset.Count < batchSize)
            throw new ArgumentException($"{dataset.Name}: {dataset.Count} images do not fill one batch of {batchSize} with dropLast; lower the batch size.");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Transform = transform;
        Prefetch = prefetch;
    }

    public DetectionDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public long Seed { get; }
    public bool DropLast { get; }
    public DetectionTransform? Transform { get; }
    public int Prefetch { get; }

    public int BatchesPerEpoch => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The dataset indices of epoch <paramref name="epoch"/>, in batch order.</summary>
    public int[] Order(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be non-negative, got {epoch}.");
        return Shuffle ? SeededRandom.Derive(Seed, epoch).Permutation(Dataset.Count) : Enumerable.Range(0, Dataset.Count).ToArray();
    }

    /// <summary>The random stream that augments image <paramref name="index"/> in epoch <paramref name="epoch"/>.</summary>
    public SeededRandom AugmentationRandom(int epoch, int index) =>
        SeededRandom.Derive(unchecked((long)SeededRandom.Derive(~Seed, epoch).NextUInt64()), index);

    /// <summary>Image <paramref name="index"/> as epoch <paramref name="epoch"/> delivers it (transform applied).</summary>
    public DetectionSample Sample(int epoch, int index)
    {
        var sample = Dataset.Get(index);
        return Transform is null ? sample : Transform.Apply(sample, AugmentationRandom(epoch, index));
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>, from batch <paramref name="startBatch"/>.</summary>
    public IEnumerable<DetectionBatch> Epoch(int epoch, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"startBatch must be in [0, {BatchesPerEpoch}], got {startBatch}.");
        var order = Order(epoch);
        return Prefetch == 0 ? Serial(order, epoch, startBatch) : Prefetched(order, epoch, startBatch);
    }

    private DetectionBatch Build(int[] order, int epoch, int b)
    {
        var start = b * BatchSize;
        var count = Math.Min(BatchSize, order.Length - start);
        var samples = new DetectionSample?[count];
        try
        {
            Parallel.For(0, count, i => samples[i] = Sample(epoch, order[start + i]));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            foreach (var s in samples) s?.Dispose();
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return new DetectionBatch(samples!, epoch, b);
    }

    private IEnumerable<DetectionBatch> Serial(int[] order, int epoch, int startBatch)
    {
        for (var b = startBatch; b < BatchesPerEpoch; b++)
            yield return Build(order, epoch, b);
    }

    private IEnumerable<DetectionBatch> Prefetched(int[] order, int epoch, int startBatch)
    {
        using var queue = new BlockingCollection<DetectionBatch>(Prefetch);
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                for (var b = startBatch; b < BatchesPerEpoch && !stop.IsCancellationRequested; b++)
                {
                    var batch = Build(order, epoch, b);
                    try { queue.Add(batch, stop.Token); }
                    catch (OperationCanceledException) { batch.Dispose(); return; }
                }
            }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        })
        { IsBackground = true, Name = $"{Dataset.Name} loader" };
        worker.Start();
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
                yield return batch;
            worker.Join();
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            stop.Cancel();
            worker.Join();
            while (queue.TryTake(out var left)) left.Dispose();
        }
    }
}
