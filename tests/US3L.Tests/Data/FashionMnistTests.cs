using System.Buffers.Binary;
using System.IO.Compression;

namespace US3L.Tests.Data;

public class FashionMnistTests
{
    // Loading the real files takes about a second; the tests share one copy.
    private static readonly Lazy<InMemoryImageDataset> Train = new(() => FashionMnist.Load(train: true));
    private static readonly Lazy<InMemoryImageDataset> Test = new(() => FashionMnist.Load(train: false));

    [Fact]
    public void Real_train_split_has_60000_balanced_images_with_labels_0_to_9()
    {
        var d = Train.Value;
        Assert.Equal(60000, d.Count);
        Assert.Equal((1, 28, 28), (d.Channels, d.Height, d.Width));
        Assert.Equal(10, d.NumClasses);
        Assert.Equal("T-shirt/top", d.ClassNames[0]);
        Assert.Equal("Ankle boot", d.ClassNames[9]);
        Assert.All(d.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.Equal(new long[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 }, d.Labels[..10].ToArray());
        // Values checked with numpy on the same file.
        var image = d.GetImage(123);
        Assert.Equal(42314, image.Sum(b => (long)b));
        Assert.Equal(new byte[] { 66, 66, 48, 122, 200, 255, 67, 27, 48, 58 }, image[400..410]);
    }

    [Fact]
    public void Real_test_split_has_10000_balanced_images()
    {
        var d = Test.Value;
        Assert.Equal(10000, d.Count);
        Assert.All(d.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.Equal(new long[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 }, d.Labels[..10].ToArray());
        Assert.Equal(59595, d.GetImage(123).Sum(b => (long)b));
    }

    [Fact]
    public void Batch_tensors_are_uint8_images_and_int64_labels()
    {
        var d = Test.Value;
        using var batch = d.GetBatch(new[] { 123, 0, 5 });
        Assert.Equal(new long[] { 3, 1, 28, 28 }, batch.Images.shape);
        Assert.Equal(ScalarType.UInt8, batch.Images.dtype);
        Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
        Assert.Equal(new long[] { 9, 9, 1 }, batch.Labels.ToArray<long>());
        var pixels = batch.Images.ToArray<byte>();
        Assert.Equal(d.GetImage(123), pixels[..784]);
        Assert.Equal(d.GetImage(5), pixels[(2 * 784)..]);
    }

    [Fact]
    public void First_n_subset_keeps_file_order()
    {
        var s = Subset.First(100).Apply(Test.Value);
        Assert.Equal(100, s.Count);
        Assert.Equal(Test.Value.Labels[..100].ToArray(), s.Labels.ToArray());
        Assert.Equal(Test.Value.GetImage(99), s.GetImage(99));
    }

    [Fact]
    public void Balanced_subset_is_seeded_and_has_equal_classes()
    {
        var a = FashionMnist.Load(train: false, subset: Subset.Balanced(1003, seed: 7));
        var b = Subset.Balanced(1003, seed: 7).Apply(Test.Value);
        var c = Subset.Balanced(1003, seed: 8).Apply(Test.Value);
        Assert.Equal(1003, a.Count);
        Assert.Equal(new[] { 101, 101, 101, 100, 100, 100, 100, 100, 100, 100 }, a.ClassCounts());
        Assert.True(a.Pixels.SequenceEqual(b.Pixels));
        Assert.False(a.Pixels.SequenceEqual(c.Pixels));
        var idx = Subset.Balanced(1003, seed: 7).Indices(Test.Value);
        Assert.Equal(idx.Length, idx.Distinct().Count());
        Assert.Throws<ArgumentException>(() => Subset.First(10001).Apply(Test.Value));
    }

    [Fact]
    public void Missing_files_name_the_file_and_the_package()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: true, directory: dir.Path));
        Assert.Contains(Path.Combine(dir.Path, "train-images-idx3-ubyte.gz"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Bad_magic_is_reported_with_the_file()
    {
        using var dir = new TempDirectory();
        var images = WriteGz(dir, "t10k-images-idx3-ubyte.gz", Idx(0x0801, new[] { 2, 28, 28 }, new byte[2 * 784]));
        WriteGz(dir, "t10k-labels-idx1-ubyte.gz", Idx(0x0801, new[] { 2 }, new byte[] { 1, 2 }));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: false, directory: dir.Path));
        Assert.Contains(images, e.Message);
        Assert.Contains("bad magic number", e.Message);
    }

    [Fact]
    public void Truncated_file_is_reported_with_the_file()
    {
        using var dir = new TempDirectory();
        var full = Idx(0x0803, new[] { 2, 28, 28 }, new byte[2 * 784]);
        var images = WriteGz(dir, "t10k-images-idx3-ubyte.gz", full[..^100]);
        WriteGz(dir, "t10k-labels-idx1-ubyte.gz", Idx(0x0801, new[] { 2 }, new byte[] { 1, 2 }));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: false, directory: dir.Path));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_names_both_files()
    {
        using var dir = new TempDirectory();
        var images = WriteGz(dir, "t10k-images-idx3-ubyte.gz", Idx(0x0803, new[] { 2, 28, 28 }, new byte[2 * 784]));
        var labels = WriteGz(dir, "t10k-labels-idx1-ubyte.gz", Idx(0x0801, new[] { 3 }, new byte[] { 1, 2, 3 }));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: false, directory: dir.Path));
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void Label_out_of_range_is_reported()
    {
        using var dir = new TempDirectory();
        WriteGz(dir, "t10k-images-idx3-ubyte.gz", Idx(0x0803, new[] { 2, 28, 28 }, new byte[2 * 784]));
        var labels = WriteGz(dir, "t10k-labels-idx1-ubyte.gz", Idx(0x0801, new[] { 2 }, new byte[] { 1, 10 }));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: false, directory: dir.Path));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 10 of image 1", e.Message);
    }

    [Fact]
    public void Not_gzip_is_reported_and_uncompressed_copies_are_read()
    {
        using var dir = new TempDirectory();
        var images = dir.File("t10k-images-idx3-ubyte.gz", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        WriteGz(dir, "t10k-labels-idx1-ubyte.gz", Idx(0x0801, new[] { 2 }, new byte[] { 1, 2 }));
        var e = Assert.Throws<DatasetException>(() => FashionMnist.Load(train: false, directory: dir.Path));
        Assert.Contains(images, e.Message);

        File.Delete(images);
        var pixels = Enumerable.Range(0, 2 * 784).Select(i => (byte)i).ToArray();
        dir.File("t10k-images-idx3-ubyte", Idx(0x0803, new[] { 2, 28, 28 }, pixels));
        var d = FashionMnist.Load(train: false, directory: dir.Path);
        Assert.Equal(2, d.Count);
        Assert.Equal(pixels[784..], d.GetImage(1));
    }

    internal static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var result = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(result, magic);
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(result, 4 + 4 * dims.Length);
        return result;
    }

    private static string WriteGz(TempDirectory dir, string name, byte[] contents)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(contents);
        return dir.File(name, ms.ToArray());
    }
}
