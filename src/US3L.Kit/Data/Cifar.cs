namespace US3L.Data;

/// <summary>Which CIFAR-100 label a dataset carries: the 100 fine classes or the 20 superclasses.</summary>
public enum Cifar100Label { Fine, Coarse }

/// <summary>
/// CIFAR-10 and CIFAR-100 in their binary ("-binary.tar.gz") versions (cs.toronto.edu/~kriz/cifar.html).
/// A CIFAR-10 record is 1 label byte + 3072 pixel bytes; a CIFAR-100 record is 1 coarse + 1 fine
/// label byte + 3072 pixel bytes. Pixels are stored R plane, G plane, B plane, 32×32 each, which is
/// already the C×H×W layout, so records are copied as they are. <c>data-scripts/cifar10.sh</c> and
/// <c>cifar100.sh</c> download and verify them.
/// </summary>
public static class Cifar
{
    private const int Side = 32;
    private const int PixelBytes = 3 * Side * Side;

    private static readonly string[] Cifar10Names =
        { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

    /// <summary>
    /// CIFAR-10 from <paramref name="directory"/> (the extracted <c>cifar-10-batches-bin</c>, or its
    /// parent): <c>data_batch_1.bin</c>..<c>data_batch_5.bin</c> for training, <c>test_batch.bin</c>
    /// for test. Class names come from <c>batches.meta.txt</c> when present.
    /// </summary>
    public static InMemoryImageDataset Load10(string directory, bool train, Subset? subset = null)
    {
        var dir = Resolve(directory, "cifar-10-batches-bin", "test_batch.bin", "data-scripts/cifar10.sh");
        var files = train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")).ToArray()
            : new[] { Path.Combine(dir, "test_batch.bin") };
        var names = ReadNames(Path.Combine(dir, "batches.meta.txt")) ?? Cifar10Names;
        if (names.Count != 10)
            throw new DatasetException($"{Path.Combine(dir, "batches.meta.txt")}: expected 10 class names, found {names.Count}.");
        var (pixels, labels) = ReadRecords(files, labelBytes: 1, labelOffset: 0, numClasses: 10, "data-scripts/cifar10.sh");
        var dataset = new InMemoryImageDataset($"cifar10/{(train ? "train" : "test")}", 3, Side, Side, names, pixels, labels);
        return (subset ?? Subset.All).Apply(dataset);
    }

    /// <summary>
    /// CIFAR-100 from <paramref name="directory"/> (the extracted <c>cifar-100-binary</c>, or its
    /// parent): <c>train.bin</c> or <c>test.bin</c>, with the fine (100) or coarse (20) labels.
    /// Class names come from <c>fine_label_names.txt</c> / <c>coarse_label_names.txt</c> when present.
    /// </summary>
    public static InMemoryImageDataset Load100(string directory, bool train, Cifar100Label label = Cifar100Label.Fine,
        Subset? subset = null)
    {
        var dir = Resolve(directory, "cifar-100-binary", "test.bin", "data-scripts/cifar100.sh");
        var file = Path.Combine(dir, train ? "train.bin" : "test.bin");
        var fine = label == Cifar100Label.Fine;
        var numClasses = fine ? 100 : 20;
        var namesFile = Path.Combine(dir, fine ? "fine_label_names.txt" : "coarse_label_names.txt");
        var names = ReadNames(namesFile)
            ?? Enumerable.Range(0, numClasses).Select(i => $"{(fine ? "fine" : "coarse")}_{i}").ToArray();
        if (names.Count != numClasses)
            throw new DatasetException($"{namesFile}: expected {numClasses} class names, found {names.Count}.");
        var (pixels, labels) = ReadRecords(new[] { file }, labelBytes: 2, labelOffset: fine ? 1 : 0, numClasses, "data-scripts/cifar100.sh");
        var dataset = new InMemoryImageDataset($"cifar100-{(fine ? "fine" : "coarse")}/{(train ? "train" : "test")}",
            3, Side, Side, names, pixels, labels);
        return (subset ?? Subset.All).Apply(dataset);
    }

    /// <summary>Accepts the folder with the .bin files or the folder the archive was extracted into.</summary>
    private static string Resolve(string directory, string archiveFolder, string probe, string script)
    {
        if (File.Exists(Path.Combine(directory, probe))) return directory;
        var nested = Path.Combine(directory, archiveFolder);
        if (File.Exists(Path.Combine(nested, probe))) return nested;
        throw new DatasetException(
            $"CIFAR file not found: {Path.Combine(directory, probe)} (nor {Path.Combine(nested, probe)}). " +
            $"Download the binary version with '{script} <folder>' and pass that folder.");
    }

    private static (byte[] Pixels, long[] Labels) ReadRecords(string[] files, int labelBytes, int labelOffset, int numClasses, string script)
    {
        var record = labelBytes + PixelBytes;
        long total = 0;
        foreach (var f in files)
        {
            if (!File.Exists(f))
                throw new DatasetException($"CIFAR file not found: {f}. Download the binary version with '{script} <folder>'.");
            var length = new FileInfo(f).Length;
            if (length == 0 || length % record != 0)
                throw new DatasetException(
                    $"{f}: size {length} bytes is not a positive multiple of the {record}-byte record " +
                    $"({labelBytes} label byte(s) + {PixelBytes} pixels); the file is truncated or not a CIFAR binary file.");
            total += length / record;
        }
        var pixels = new byte[total * PixelBytes];
        var labels = new long[total];
        long n = 0;
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(f);
            for (long r = 0; r < bytes.LongLength / record; r++, n++)
            {
                var at = (int)(r * record);
                var label = bytes[at + labelOffset];
                if (label >= numClasses)
                    throw new DatasetException($"{f}: record {r} has label {label}, expected 0-{numClasses - 1}; the file is corrupt or of the other CIFAR version.");
                labels[n] = label;
                bytes.AsSpan(at + labelBytes, PixelBytes).CopyTo(pixels.AsSpan((int)(n * PixelBytes), PixelBytes));
            }
        }
        return (pixels, labels);
    }

    private static IReadOnlyList<string>? ReadNames(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray()
            : null;
}
