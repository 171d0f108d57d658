namespace US3L.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al. 2017): 60,000 training and 10,000 test images, 28×28 grayscale,
/// 10 classes. The default location is where Debian's <c>dataset-fashion-mnist</c> installs the IDX
/// files; the kit's small-scale reproduction (science.md 8.1) runs on it.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The names in label order, as in the dataset's README.</summary>
    public static readonly IReadOnlyList<string> ClassNames = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    public const int ImageSide = 28;

    /// <summary>
    /// Loads the training split (<paramref name="train"/> true, 60,000 images) or the test split
    /// (10,000) from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>), optionally
    /// keeping only a <paramref name="subset"/>. Images are [1, 28, 28] bytes.
    /// </summary>
    public static InMemoryImageDataset Load(bool train, string? directory = null, Subset? subset = null)
    {
        var dir = directory ?? DefaultDirectory;
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(dir, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(dir, $"{prefix}-labels-idx1-ubyte");

        var (imageDims, pixels) = IdxFile.ReadUBytes(imagesPath, 3);
        var (labelDims, labelBytes) = IdxFile.ReadUBytes(labelsPath, 1);
        if (imageDims[1] != ImageSide || imageDims[2] != ImageSide)
            throw new DatasetException($"{imagesPath}: images are {imageDims[1]}x{imageDims[2]}, expected {ImageSide}x{ImageSide}.");
        if (imageDims[0] != labelDims[0])
            throw new DatasetException(
                $"{imagesPath} holds {imageDims[0]} images but {labelsPath} holds {labelDims[0]} labels; " +
                "the two files must come from the same split.");
        var labels = new long[labelBytes.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= ClassNames.Count)
                throw new DatasetException($"{labelsPath}: label {labelBytes[i]} of image {i} is outside 0-{ClassNames.Count - 1}; the file is corrupt.");
            labels[i] = labelBytes[i];
        }
        var dataset = new InMemoryImageDataset($"fashion-mnist/{(train ? "train" : "test")}",
            1, ImageSide, ImageSide, ClassNames, pixels, labels);
        return (subset ?? Subset.All).Apply(dataset);
    }

    /// <summary>The gzip file, or an uncompressed copy next to it.</summary>
    private static string Find(string directory, string baseName)
    {
        var gz = Path.Combine(directory, baseName + ".gz");
        if (File.Exists(gz)) return gz;
        var raw = Path.Combine(directory, baseName);
        if (File.Exists(raw)) return raw;
        var fix = directory == DefaultDirectory
            ? "Install it with 'sudo apt-get install dataset-fashion-mnist'"
            : $"Put the Fashion-MNIST IDX files in {directory}, or install the default copy with " +
              $"'sudo apt-get install dataset-fashion-mnist' (it goes to {DefaultDirectory})";
        throw new DatasetException($"Fashion-MNIST file not found: {gz}. {fix}.");
    }
}
