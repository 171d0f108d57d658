namespace US3L.Data;

/// <summary>
/// Which part of a dataset to keep: everything, the first N images, or N images drawn with a seed
/// so that every class gets the same share (science.md 8.1 trains SSL on a 10k-20k subset).
/// </summary>
public sealed record Subset
{
    private Subset(int? count, long? seed) { Count = count; Seed = seed; }

    /// <summary>How many images to keep; null keeps all.</summary>
    public int? Count { get; }
    /// <summary>Null for "first N"; a seed for a class-balanced random draw.</summary>
    public long? Seed { get; }

    public static Subset All { get; } = new(null, null);

    /// <summary>The first <paramref name="count"/> images in file order.</summary>
    public static Subset First(int count) => new(Positive(count), null);

    /// <summary>
    /// <paramref name="count"/> images drawn without replacement, count/K per class (the remainder
    /// goes to the lowest class ids), in a shuffled order fixed by <paramref name="seed"/>.
    /// </summary>
    public static Subset Balanced(int count, long seed) => new(Positive(count), seed);

    /// <summary>The indices this subset keeps from <paramref name="dataset"/>.</summary>
    public int[] Indices(ImageDataset dataset)
    {
        var n = dataset.Count;
        if (Count is null) return Enumerable.Range(0, n).ToArray();
        if (Count > n)
            throw new ArgumentException($"{dataset.Name}: asked for a subset of {Count} images, the dataset has only {n}.");
        if (Seed is null) return Enumerable.Range(0, Count.Value).ToArray();

        var k = dataset.NumClasses;
        var byClass = new List<int>[k];
        for (var c = 0; c < k; c++) byClass[c] = new List<int>();
        for (var i = 0; i < n; i++) byClass[dataset.Label(i)].Add(i);

        var rng = new SeededRandom(Seed.Value);
        var result = new List<int>(Count.Value);
        for (var c = 0; c < k; c++)
        {
            var want = Count.Value / k + (c < Count.Value % k ? 1 : 0);
            if (want > byClass[c].Count)
                throw new ArgumentException(
                    $"{dataset.Name}: a balanced subset of {Count} needs {want} images of class {c} " +
                    $"('{dataset.ClassNames[c]}'), the dataset has {byClass[c].Count}.");
            var pool = byClass[c].ToArray();
            rng.Shuffle<int>(pool);
            result.AddRange(pool.AsSpan(0, want).ToArray());
        }
        var all = result.ToArray();
        // Shuffled once so that "first N of the subset" is not sorted by class.
        rng.Shuffle<int>(all);
        return all;
    }

    /// <summary>Applies the subset; the whole dataset comes back unchanged when nothing is dropped.</summary>
    public InMemoryImageDataset Apply(InMemoryImageDataset dataset)
    {
        if (Count is null) return dataset;
        var name = Seed is null ? $"{dataset.Name}[first {Count}]" : $"{dataset.Name}[balanced {Count}, seed {Seed}]";
        return dataset.Select(Indices(dataset), name);
    }

    private static int Positive(int count) =>
        count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), $"A subset needs a positive count, got {count}.");

    public override string ToString() => Count is null ? "all" : Seed is null ? $"first {Count}" : $"balanced {Count} (seed {Seed})";
}
