using System.Runtime.ExceptionServices;
using US3L.Torch;

namespace US3L.Data;

/// <summary>
/// N images of one fixed shape C×H×W stored as bytes (0-255), each with an int64 class label.
/// Batches come out as a uint8 tensor [B, C, H, W] and an int64 tensor [B]; conversion to float and
/// augmentation happen later, on tensors, so they can run batched on any device.
/// </summary>
public abstract class ImageDataset
{
    protected ImageDataset(string name, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"{name}: image shape must be positive, got {channels}x{height}x{width}.");
        if (classNames.Count == 0) throw new ArgumentException($"{name}: a dataset needs at least one class name.");
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    /// <summary>A short description for logs and metrics, e.g. "fashion-mnist/train".</summary>
    public string Name { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int NumClasses => ClassNames.Count;
    public abstract int Count { get; }

    /// <summary>Bytes of one image, C*H*W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The label of image <paramref name="index"/>, in [0, NumClasses).</summary>
    public abstract long Label(int index);

    /// <summary>Writes image <paramref name="index"/> as C×H×W bytes (channel-major) into <paramref name="destination"/>.</summary>
    public abstract void CopyImage(int index, Span<byte> destination);

    /// <summary>
    /// True when reading an image costs real work (file decoding); batches then fill their rows in
    /// parallel. In-memory datasets copy rows serially, which is already memory-bound.
    /// </summary>
    protected virtual bool ReadsAreExpensive => false;

    /// <summary>Image <paramref name="index"/> as a new byte array.</summary>
    public byte[] GetImage(int index)
    {
        var result = new byte[ImageSize];
        CopyImage(index, result);
        return result;
    }

    /// <summary>
    /// The images and labels at <paramref name="indices"/> as CPU tensors [B, C, H, W] uint8 and [B]
    /// int64. The tensors belong to no dispose scope: the caller disposes the batch.
    /// </summary>
    public ImageBatch GetBatch(ReadOnlySpan<int> indices, int epoch = 0, int batchIndex = 0)
    {
        var b = indices.Length;
        var size = ImageSize;
        var labels = new long[b];
        for (var i = 0; i < b; i++)
        {
            CheckIndex(indices[i]);
            labels[i] = Label(indices[i]);
        }
        // Rows are written straight into the tensor's storage: one copy per image, no staging buffer.
        var images = torch.empty(new long[] { b, Channels, Height, Width }, ScalarType.UInt8).DetachFromDisposeScope();
        try
        {
            if (ReadsAreExpensive && b > 1)
            {
                var idx = indices.ToArray();
                ForEachImage(b, i => CopyImage(idx[i], images.AsSpan<byte>().Slice(i * size, size)));
            }
            else
            {
                var pixels = images.AsSpan<byte>();
                for (var i = 0; i < b; i++) CopyImage(indices[i], pixels.Slice(i * size, size));
            }
            var labelTensor = torch.tensor<long>(labels, new long[] { b }).DetachFromDisposeScope();
            return new ImageBatch(images, labelTensor, epoch, batchIndex);
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    /// <summary>How many images each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        for (var i = 0; i < Count; i++) counts[Label(i)]++;
        return counts;
    }

    /// <summary>Reads every image into one contiguous array (decodes once; later batches are copies).</summary>
    public virtual InMemoryImageDataset ToInMemory()
    {
        var size = ImageSize;
        if ((long)Count * size > Array.MaxLength)
            throw new InvalidOperationException(
                $"{Name}: {Count} images of {size} bytes ({(long)Count * size >> 20} MB) do not fit in one array; " +
                "read it lazily through the loader, or use a smaller size or a subset.");
        var pixels = new byte[(long)Count * size];
        var labels = new long[Count];
        for (var i = 0; i < Count; i++) labels[i] = Label(i);
        ForEachImage(Count, i => CopyImage(i, pixels.AsSpan((int)((long)i * size), size)));
        return new InMemoryImageDataset(Name, Channels, Height, Width, ClassNames, pixels, labels);
    }

    /// <summary>Runs <paramref name="body"/> for 0..n-1 in parallel; the first error surfaces as itself, not wrapped.</summary>
    private static void ForEachImage(int n, Action<int> body)
    {
        try { Parallel.For(0, n, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: index {index} is outside [0, {Count}).");
    }

    public override string ToString() =>
        $"{Name}: {Count} images {Channels}x{Height}x{Width}, {NumClasses} classes";
}
