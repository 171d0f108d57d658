using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using US3L.Torch;

namespace US3L.Data;

/// <summary>
/// Cuts a dataset into batches, epoch by epoch. The order of epoch e is a permutation drawn from
/// (seed, e) alone, so enumerating an epoch twice gives identical batches and a run resumed at
/// (epoch, batch) from a checkpoint sees exactly the batches it would have seen.
/// <para>
/// With <c>prefetch</c> &gt; 0 a worker thread builds the next batches (and moves them to
/// <c>device</c>) while the consumer trains on the current one; at most <c>prefetch</c> ready batches
/// wait in a bounded queue. Each <see cref="ImageBatch"/> belongs to the consumer, which must dispose
/// it. Leaving a <c>foreach</c> early stops the worker and frees the batches it had queued.
/// </para>
/// <code>
/// var loader = new DataLoader(FashionMnist.Load(train: true), batchSize: 256, seed: 1);
/// foreach (var batch in loader.Epoch(epoch)) { using (batch) { ... batch.Images ... } }
/// </code>
/// </summary>
public sealed class DataLoader
{
    public DataLoader(ImageDataset dataset, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false,
        int prefetch = 2, Device? device = null)
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
        Prefetch = prefetch;
        Device = device ?? Device.CPU;
    }

    public ImageDataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public long Seed { get; }
    /// <summary>Drop the last, smaller batch of an epoch (keeps batch statistics comparable).</summary>
    public bool DropLast { get; }
    /// <summary>How many ready batches the worker may hold; 0 builds batches on the consumer's thread.</summary>
    public int Prefetch { get; }
    public Device Device { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Images per epoch (fewer than the dataset's with dropLast).</summary>
    public int ImagesPerEpoch => DropLast ? BatchesPerEpoch * BatchSize : Dataset.Count;

    /// <summary>The dataset indices of epoch <paramref name="epoch"/>, in batch order.</summary>
    public int[] Order(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be non-negative, got {epoch}.");
        if (!Shuffle) return Enumerable.Range(0, Dataset.Count).ToArray();
        return SeededRandom.Derive(Seed, epoch).Permutation(Dataset.Count);
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, starting at batch <paramref name="startBatch"/>
    /// (0 for a whole epoch; a checkpoint's next batch when resuming).
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int startBatch = 0)
    {
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"startBatch must be in [0, {BatchesPerEpoch}], got {startBatch}.");
        var order = Order(epoch);
        return Prefetch == 0 ? Serial(order, epoch, startBatch) : Prefetched(order, epoch, startBatch);
    }

    /// <summary>
    /// Epochs <paramref name="startEpoch"/>, startEpoch+1, ... up to <paramref name="endEpoch"/>
    /// (exclusive), the first from <paramref name="startBatch"/>: a whole run, resumable.
    /// </summary>
    public IEnumerable<ImageBatch> Epochs(int startEpoch, int endEpoch, int startBatch = 0)
    {
        for (var e = startEpoch; e < endEpoch; e++)
            foreach (var batch in Epoch(e, e == startEpoch ? startBatch : 0))
                yield return batch;
    }

    private ImageBatch Build(int[] order, int epoch, int b)
    {
        var start = b * BatchSize;
        var count = Math.Min(BatchSize, order.Length - start);
        var batch = Dataset.GetBatch(order.AsSpan(start, count), epoch, b);
        return Device.Type == DeviceType.CPU ? batch : batch.MoveTo(Device);
    }

    private IEnumerable<ImageBatch> Serial(int[] order, int epoch, int startBatch)
    {
        for (var b = startBatch; b < BatchesPerEpoch; b++)
            yield return Build(order, epoch, b);
    }

    private IEnumerable<ImageBatch> Prefetched(int[] order, int epoch, int startBatch)
    {
        using var queue = new BlockingCollection<ImageBatch>(Prefetch);
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
            // Batches built before the failure were delivered; the error surfaces where it happened.
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
