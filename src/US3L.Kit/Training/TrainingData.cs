using US3L.Data;

namespace US3L.Training;

/// <summary>
/// The datasets of a run, by <see cref="PretrainConfig.Dataset"/>: the SSL training images, and the
/// bank and query images of the kNN monitor (train and test splits where the dataset has them).
/// </summary>
internal sealed record TrainingData(ImageDataset Train, ImageDataset? KnnBank, ImageDataset? KnnQueries, string EvalRecipe)
{
    /// <summary>Images generated for "synthetic" when no TrainSubset is given.</summary>
    public const int SyntheticDefaultCount = 10_000;

    public static TrainingData Load(PretrainConfig c)
    {
        var subset = c.TrainSubset > 0 ? Subset.Balanced(c.TrainSubset, c.Seed) : null;
        var knn = c.KnnSubset > 0 ? Subset.Balanced(c.KnnSubset, c.Seed + 1) : Subset.All;
        var dir = string.IsNullOrEmpty(c.DataDir) ? null : c.DataDir;
        switch (c.Dataset.ToLowerInvariant())
        {
            case "fashion-mnist":
            {
                var train = FashionMnist.Load(train: true, dir);
                return new(subset?.Apply(train) ?? train, knn.Apply(train), Cap(knn, FashionMnist.Load(train: false, dir)), "fashion-mnist-test");
            }
            case "cifar10":
            case "cifar100":
            {
                var folder = dir ?? throw new ArgumentException($"Dataset {c.Dataset} needs DataDir (see data-scripts/).");
                InMemoryImageDataset Split(bool train) => c.Dataset.Equals("cifar10", StringComparison.OrdinalIgnoreCase)
                    ? Cifar.Load10(folder, train) : Cifar.Load100(folder, train);
                var train = Split(true);
                return new(subset?.Apply(train) ?? train, knn.Apply(train), Cap(knn, Split(false)), "linear-eval-cifar-test");
            }
            case "synthetic":
            {
                var count = c.TrainSubset > 0 ? c.TrainSubset : SyntheticDefaultCount;
                var knnCount = c.KnnSubset > 0 ? c.KnnSubset : 2000;
                return new(SyntheticShapes.Generate(count, c.Seed), SyntheticShapes.Generate(knnCount, c.Seed + 1),
                    SyntheticShapes.Generate(knnCount, c.Seed + 2), "linear-eval-cifar-test");
            }
            case "image-folder":
            {
                var folder = dir ?? throw new ArgumentException("Dataset image-folder needs DataDir (a folder of class folders, or with train/ and val/).");
                var trainDir = Directory.Exists(Path.Combine(folder, "train")) ? Path.Combine(folder, "train") : folder;
                var valDir = Path.Combine(folder, "val");
                var train = ImageFolderDataset.Open(trainDir);
                ImageDataset? queries = Directory.Exists(valDir) ? ImageFolderDataset.Open(valDir) : null;
                return new(train, queries is null ? null : train, queries, "linear-eval-imagenet-test");
            }
            default:
                throw new ArgumentException($"Unknown dataset '{c.Dataset}'. Valid: fashion-mnist, cifar10, cifar100, synthetic, image-folder.");
        }
    }

    /// <summary>A balanced subset when the split is large enough for it, else the whole split.</summary>
    private static InMemoryImageDataset Cap(Subset subset, InMemoryImageDataset split) =>
        subset.Count is { } n && n < split.Count ? subset.Apply(split) : split;
}
