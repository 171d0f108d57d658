namespace US3L.Detection;

/// <summary>The first <see cref="Count"/> images of a detection dataset (a COCO subset, a smaller validation set).</summary>
public sealed class DetectionSubset : DetectionDataset
{
    private readonly DetectionDataset source;

    public DetectionSubset(DetectionDataset source, int count)
        : base($"{source.Name}[:{count}]", source.ClassNames)
    {
        if (count < 1 || count > source.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{source.Name} has {source.Count} images; a subset takes 1 to {source.Count}.");
        this.source = source;
        Count = count;
    }

    public override int Count { get; }

    public override DetectionSample Get(int index)
    {
        CheckIndex(index);
        return source.Get(index);
    }

    public override ImageTruth GroundTruth(int index)
    {
        CheckIndex(index);
        return source.GroundTruth(index);
    }

    /// <summary><paramref name="source"/> itself when <paramref name="count"/> is 0 or covers it, else its first images.</summary>
    public static DetectionDataset Of(DetectionDataset source, int count) => count <= 0 || count >= source.Count ? source : new DetectionSubset(source, count);
}
