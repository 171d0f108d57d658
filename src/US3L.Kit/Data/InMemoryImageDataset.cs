namespace US3L.Data;

/// <summary>
/// A dataset held in one contiguous byte array (image i at offset i*C*H*W), so a batch is a
/// sequence of row copies. Fashion-MNIST (47 MB) and CIFAR (150-180 MB) fit easily.
/// </summary>
public sealed class InMemoryImageDataset : ImageDataset
{
    private readonly byte[] pixels;
    private readonly long[] labels;

    public InMemoryImageDataset(string name, int channels, int height, int width, IReadOnlyList<string> classNames,
        byte[] pixels, long[] labels)
        : base(name, channels, height, width, classNames)
    {
        if (pixels.LongLength != (long)labels.Length * ImageSize)
            throw new ArgumentException(
                $"{name}: {labels.Length} labels need {(long)labels.Length * ImageSize} pixel bytes " +
                $"({channels}x{height}x{width} each), got {pixels.LongLength}.");
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classNames.Count)
                throw new ArgumentException($"{name}: label {labels[i]} of image {i} is outside [0, {classNames.Count}).");
        this.pixels = pixels;
        this.labels = labels;
    }

    public override int Count => labels.Length;

    /// <summary>The raw pixel store, image after image (read-only view).</summary>
    public ReadOnlySpan<byte> Pixels => pixels;

    /// <summary>All labels in order (read-only view).</summary>
    public ReadOnlySpan<long> Labels => labels;

    public override long Label(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    public override void CopyImage(int index, Span<byte> destination)
    {
        CheckIndex(index);
        if (destination.Length < ImageSize)
            throw new ArgumentException($"{Name}: destination holds {destination.Length} bytes, an image needs {ImageSize}.");
        pixels.AsSpan((int)((long)index * ImageSize), ImageSize).CopyTo(destination);
    }

    public override InMemoryImageDataset ToInMemory() => this;

    /// <summary>A new dataset with the images at <paramref name="indices"/>, in that order (copied).</summary>
    public InMemoryImageDataset Select(IReadOnlyList<int> indices, string? name = null)
    {
        var size = ImageSize;
        var newPixels = new byte[(long)indices.Count * size];
        var newLabels = new long[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            CopyImage(indices[i], newPixels.AsSpan(i * size, size));
            newLabels[i] = labels[indices[i]];
        }
        return new InMemoryImageDataset(name ?? Name, Channels, Height, Width, ClassNames, newPixels, newLabels);
    }
}
