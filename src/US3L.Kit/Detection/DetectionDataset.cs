namespace US3L.Detection;

/// <summary>
/// Images with instance annotations over K classes: labels 1..K name <see cref="ClassNames"/>[label - 1],
/// 0 is the background (torchvision's convention). Images may differ in size.
/// </summary>
public abstract class DetectionDataset
{
    protected DetectionDataset(string name, IReadOnlyList<string> classNames)
    {
        if (classNames.Count == 0) throw new ArgumentException($"{name}: a detection dataset needs at least one class.");
        Name = name;
        ClassNames = classNames;
    }

    /// <summary>A short description for logs, e.g. "fashion-scenes/train".</summary>
    public string Name { get; }

    /// <summary>The K object classes; label k is ClassNames[k - 1].</summary>
    public IReadOnlyList<string> ClassNames { get; }
    public int NumClasses => ClassNames.Count;
    public abstract int Count { get; }

    /// <summary>Image <paramref name="index"/> (uint8 [C, H, W]) and its target; the caller owns and disposes the sample.</summary>
    public abstract DetectionSample Get(int index);

    /// <summary>The ground truth of image <paramref name="index"/> as the COCO evaluation reads it, without decoding the image.</summary>
    public abstract ImageTruth GroundTruth(int index);

    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{Name}: index {index} is outside [0, {Count}).");
    }

    public override string ToString() => $"{Name}: {Count} images, {NumClasses} classes";
}
