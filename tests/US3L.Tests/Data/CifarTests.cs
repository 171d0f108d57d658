namespace US3L.Tests.Data;

/// <summary>CIFAR readers on small files written here in the real binary layout.</summary>
public class CifarTests
{
    private const int Pixels = 3072;

    /// <summary>Records with label bytes <paramref name="labels"/> and pixel bytes derived from (seed, record).</summary>
    private static byte[] Records(int seed, params byte[][] labels)
    {
        var record = labels[0].Length + Pixels;
        var result = new byte[labels.Length * record];
        for (var r = 0; r < labels.Length; r++)
        {
            labels[r].CopyTo(result, r * record);
            for (var k = 0; k < Pixels; k++) result[r * record + labels[r].Length + k] = (byte)(seed * 31 + r * 7 + k);
        }
        return result;
    }

    private static byte[] ExpectedImage(int seed, int r) =>
        Enumerable.Range(0, Pixels).Select(k => (byte)(seed * 31 + r * 7 + k)).ToArray();

    private static TempDirectory Cifar10Folder(bool withMeta = true)
    {
        var dir = new TempDirectory();
        for (var i = 1; i <= 5; i++)
            dir.File($"cifar-10-batches-bin/data_batch_{i}.bin", Records(i, new[] { (byte)(i - 1) }, new[] { (byte)(i + 4) }));
        dir.File("cifar-10-batches-bin/test_batch.bin", Records(9, new byte[] { 3 }, new byte[] { 8 }, new byte[] { 0 }));
        if (withMeta)
            File.WriteAllText(Path.Combine(dir.Path, "cifar-10-batches-bin/batches.meta.txt"),
                "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
        return dir;
    }

    [Fact]
    public void Cifar10_reads_all_training_batches_in_order()
    {
        using var dir = Cifar10Folder();
        var train = Cifar.Load10(dir.Path, train: true);
        Assert.Equal(10, train.Count);
        Assert.Equal((3, 32, 32), (train.Channels, train.Height, train.Width));
        Assert.Equal(new long[] { 0, 5, 1, 6, 2, 7, 3, 8, 4, 9 }, train.Labels.ToArray());
        Assert.Equal(ExpectedImage(3, 1), train.GetImage(5));
        Assert.Equal("truck", train.ClassNames[9]);

        var test = Cifar.Load10(Path.Combine(dir.Path, "cifar-10-batches-bin"), train: false);
        Assert.Equal(new long[] { 3, 8, 0 }, test.Labels.ToArray());
        Assert.Equal(ExpectedImage(9, 2), test.GetImage(2));
        using var batch = test.GetBatch(new[] { 2, 0 });
        Assert.Equal(new long[] { 2, 3, 32, 32 }, batch.Images.shape);
        Assert.Equal(ExpectedImage(9, 2), batch.Images.ToArray<byte>()[..Pixels]);
    }

    [Fact]
    public void Cifar10_falls_back_to_builtin_names_without_meta_file()
    {
        using var dir = Cifar10Folder(withMeta: false);
        Assert.Equal("airplane", Cifar.Load10(dir.Path, train: false).ClassNames[0]);
    }

    [Fact]
    public void Cifar10_errors_name_the_file()
    {
        using var dir = Cifar10Folder();
        var batch3 = Path.Combine(dir.Path, "cifar-10-batches-bin/data_batch_3.bin");
        File.WriteAllBytes(batch3, Records(3, new byte[] { 1 })[..^5]);
        var e = Assert.Throws<DatasetException>(() => Cifar.Load10(dir.Path, train: true));
        Assert.Contains(batch3, e.Message);
        Assert.Contains("3073-byte record", e.Message);

        File.WriteAllBytes(batch3, Records(3, new byte[] { 10 }));
        e = Assert.Throws<DatasetException>(() => Cifar.Load10(dir.Path, train: true));
        Assert.Contains(batch3, e.Message);
        Assert.Contains("label 10", e.Message);

        File.Delete(batch3);
        e = Assert.Throws<DatasetException>(() => Cifar.Load10(dir.Path, train: true));
        Assert.Contains(batch3, e.Message);
        Assert.Contains("cifar10.sh", e.Message);

        using var empty = new TempDirectory();
        e = Assert.Throws<DatasetException>(() => Cifar.Load10(empty.Path, train: false));
        Assert.Contains("test_batch.bin", e.Message);
    }

    [Fact]
    public void Cifar100_reads_fine_and_coarse_labels_and_names()
    {
        using var dir = new TempDirectory();
        dir.File("cifar-100-binary/train.bin", Records(1, new byte[] { 19, 99 }, new byte[] { 0, 3 }));
        dir.File("cifar-100-binary/test.bin", Records(2, new byte[] { 4, 50 }));
        File.WriteAllLines(Path.Combine(dir.Path, "cifar-100-binary/fine_label_names.txt"),
            Enumerable.Range(0, 100).Select(i => $"fine{i}"));

        var fine = Cifar.Load100(dir.Path, train: true);
        Assert.Equal(new long[] { 99, 3 }, fine.Labels.ToArray());
        Assert.Equal(100, fine.NumClasses);
        Assert.Equal("fine99", fine.ClassNames[99]);
        Assert.Equal(ExpectedImage(1, 1), fine.GetImage(1));

        var coarse = Cifar.Load100(dir.Path, train: true, Cifar100Label.Coarse);
        Assert.Equal(new long[] { 19, 0 }, coarse.Labels.ToArray());
        Assert.Equal(20, coarse.NumClasses);
        Assert.Equal("coarse_19", coarse.ClassNames[19]);

        Assert.Equal(new long[] { 50 }, Cifar.Load100(dir.Path, train: false).Labels.ToArray());
    }

    [Fact]
    public void Cifar100_rejects_wrong_name_count_and_out_of_range_labels()
    {
        using var dir = new TempDirectory();
        var train = dir.File("train.bin", Records(1, new byte[] { 20, 5 }));
        dir.File("test.bin", Records(1, new byte[] { 1, 5 }));
        var e = Assert.Throws<DatasetException>(() => Cifar.Load100(dir.Path, train: true, Cifar100Label.Coarse));
        Assert.Contains(train, e.Message);
        Assert.Contains("label 20", e.Message);

        File.WriteAllLines(Path.Combine(dir.Path, "fine_label_names.txt"), new[] { "a", "b" });
        e = Assert.Throws<DatasetException>(() => Cifar.Load100(dir.Path, train: false));
        Assert.Contains("fine_label_names.txt", e.Message);
        Assert.Contains("expected 100 class names, found 2", e.Message);
    }
}
