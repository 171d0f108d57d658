using US3L.Data;

namespace US3L.Evaluation;

/// <summary>
/// The labelled images of a semi-supervised evaluation (science.md 6.8): a fraction of the training
/// set, class-balanced and drawn with a seed, or, for ImageNet, the image list of a split file of
/// the SimCLR protocol (<c>1percent.txt</c>, <c>10percent.txt</c>: one image file name per line).
/// </summary>
public static class LabelFraction
{
    /// <summary>
    /// round(<paramref name="fraction"/> · N) images of <paramref name="train"/>, the same share of
    /// every class (the remainder to the lowest class ids) and a shuffled order, both fixed by
    /// <paramref name="seed"/> (<see cref="Subset.Balanced"/>).
    /// </summary>
    public static int[] Indices(ImageDataset train, double fraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"The label fraction must be in (0, 1], e.g. 0.01 or 0.1; got {fraction}.");
        var count = (int)Math.Round(fraction * train.Count);
        if (count < train.NumClasses)
            throw new ArgumentException(
                $"{train.Name}: {fraction} of {train.Count} images is {count} labelled images, fewer than its {train.NumClasses} classes; use a larger fraction or training set.");
        return Subset.Balanced(count, seed).Indices(train);
    }

    /// <summary>
    /// The images of <paramref name="train"/> named in <paramref name="splitFile"/>, one file name per
    /// line (blank lines skipped), in the file's order. A name that is not in the folder, or listed
    /// twice, is an error naming the file and line.
    /// </summary>
    public static int[] FromSplitFile(ImageFolderDataset train, string splitFile)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!File.Exists(splitFile)) throw new FileNotFoundException($"Split file not found: {splitFile}", splitFile);
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < train.Count; i++) byName.TryAdd(Path.GetFileName(train.FilePath(i)), i);
        var result = new List<int>();
        var listed = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(splitFile))
        {
            number++;
            var name = raw.Trim();
            if (name.Length == 0) continue;
            if (listed.TryGetValue(name, out var first))
                throw new InvalidDataException($"{splitFile}:{number}: '{name}' is listed twice (first on line {first}).");
            listed[name] = number;
            if (!byName.TryGetValue(Path.GetFileName(name), out var index))
                throw new InvalidDataException($"{splitFile}:{number}: '{name}' is not an image of {train.Name} ({train.Count} images).");
            result.Add(index);
        }
        if (result.Count == 0) throw new InvalidDataException($"{splitFile} lists no image.");
        return result.ToArray();
    }
}
