using System.Text.Json;

namespace US3L.Tests.Data;

/// <summary>
/// Image folders with JPEG and PNG files written by PIL; decoded pixels and resizes are compared
/// with PIL's own decoding and antialiased bilinear resize.
/// </summary>
public class ImageFolderTests
{
    // Writes the folder and prints, per file, PIL's decoded RGB (H×W×3) and its 16×16 resizes (C×H×W)
    // for the centre-crop box and for a plain stretch.
    private const string MakeFolder = """
        import sys, json, os, numpy as np
        from PIL import Image
        root = sys.argv[1]
        rng = np.random.default_rng(0)
        def smooth(h, w, c):
            y, x = np.mgrid[0:h, 0:w]
            planes = [(127 + 120 * np.sin(x / (3 + k) + y / (5 + 2 * k) + k)) for k in range(c)]
            a = np.stack(planes, -1) + rng.integers(-8, 8, (h, w, c))
            return np.clip(a, 0, 255).astype(np.uint8)
        files = {
            "cat/a.jpg": Image.fromarray(smooth(30, 40, 3), "RGB"),
            "cat/b.png": Image.fromarray(smooth(20, 20, 3), "RGB"),
            "dog/c.png": Image.fromarray(smooth(24, 16, 1)[:, :, 0], "L"),
            "dog/sub/d.png": Image.fromarray(smooth(10, 12, 4), "RGBA"),
            "dog/e.png": Image.fromarray(smooth(18, 18, 3), "RGB").convert("P", palette=Image.ADAPTIVE, colors=16),
            "dog/f.jpeg": Image.fromarray(smooth(16, 20, 1)[:, :, 0], "L"),
            "dog/g.jpg": Image.fromarray(smooth(12, 14, 3), "RGB").convert("CMYK"),
        }
        out = {}
        for name, im in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith("g") and "jp" in name: im.save(path, quality=95)
            else: im.save(path)
            rgb = Image.open(path).convert("RGB")
            w, h = rgb.size
            s = max(16 / w, 16 / h)
            bw, bh = 16 / s, 16 / s
            box = ((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2)
            crop = np.asarray(rgb.resize((16, 16), Image.BILINEAR, box=box)).transpose(2, 0, 1)
            stretch = np.asarray(rgb.resize((16, 16), Image.BILINEAR)).transpose(2, 0, 1)
            out[name] = dict(w=w, h=h, rgb=np.asarray(rgb).tobytes().hex(),
                             crop=crop.tobytes().hex(), stretch=stretch.tobytes().hex())
        print(json.dumps(out))
        """;

    private sealed record Reference(int w, int h, string rgb, string crop, string stretch);

    private static Dictionary<string, Reference> Make(TempDirectory dir) =>
        JsonSerializer.Deserialize<Dictionary<string, Reference>>(Python.Run(MakeFolder, dir.Path))!;

    private static int MaxDiff(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [Fact]
    public void Decoders_match_PIL_for_jpeg_png_gray_cmyk_palette_and_alpha()
    {
        using var dir = new TempDirectory();
        foreach (var (name, r) in Make(dir))
        {
            var image = ImageDecoder.DecodeFile(Path.Combine(dir.Path, name));
            Assert.Equal((r.w, r.h), (image.Width, image.Height));
            // PNG is lossless; both JPEG decoders are libjpeg-turbo with the accurate DCT.
            Assert.True(MaxDiff(Convert.FromHexString(r.rgb), image.Rgb) <= (name.Contains(".jp") ? 1 : 0), name);
        }
    }

    [Fact]
    public void Folder_lists_classes_and_files_in_order_and_resizes_like_PIL()
    {
        using var dir = new TempDirectory();
        var refs = Make(dir);
        var crop = ImageFolderDataset.Open(dir.Path, new ImageFolderOptions { Height = 16, Width = 16 });
        Assert.Equal(new[] { "cat", "dog" }, crop.ClassNames);
        Assert.Equal(7, crop.Count);
        var names = Enumerable.Range(0, crop.Count)
            .Select(i => Path.GetRelativePath(dir.Path, crop.FilePath(i)).Replace('\\', '/')).ToArray();
        Assert.Equal(new[] { "cat/a.jpg", "cat/b.png", "dog/c.png", "dog/e.png", "dog/f.jpeg", "dog/g.jpg", "dog/sub/d.png" }, names);
        Assert.Equal(new long[] { 0, 0, 1, 1, 1, 1, 1 }, Enumerable.Range(0, 7).Select(crop.Label).ToArray());

        var stretch = ImageFolderDataset.Open(dir.Path, new ImageFolderOptions { Height = 16, Width = 16, Resize = ResizeMode.Stretch });
        for (var i = 0; i < crop.Count; i++)
        {
            // PIL rounds to 8 bits between its two passes; this resize keeps floats, hence +-2.
            Assert.True(MaxDiff(Convert.FromHexString(refs[names[i]].crop), crop.GetImage(i)) <= 2, names[i]);
            Assert.True(MaxDiff(Convert.FromHexString(refs[names[i]].stretch), stretch.GetImage(i)) <= 2, names[i]);
        }

        using var batch = crop.GetBatch(new[] { 6, 0, 2 });
        Assert.Equal(new long[] { 3, 3, 16, 16 }, batch.Images.shape);
        Assert.Equal(new long[] { 1, 0, 1 }, batch.Labels.ToArray<long>());
        Assert.Equal(crop.GetImage(2), batch.Images.ToArray<byte>()[(2 * 768)..]);

        var memory = crop.ToInMemory();
        Assert.Equal(crop.GetImage(4), memory.GetImage(4));
    }

    [Fact]
    public void Non_image_file_is_an_error_naming_it_or_skipped_with_a_warning()
    {
        using var dir = new TempDirectory();
        Make(dir);
        var bad = dir.File("dog/notes.txt", "not an image"u8.ToArray());
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(dir.Path));
        Assert.Contains(bad, e.Message);
        Assert.Contains("not a JPEG or PNG", e.Message);

        var warnings = new List<string>();
        var d = ImageFolderDataset.Open(dir.Path, new ImageFolderOptions { BadFiles = BadFilePolicy.Skip, Warn = warnings.Add });
        Assert.Equal(7, d.Count);
        Assert.Contains(bad, Assert.Single(warnings));
    }

    [Fact]
    public void Corrupt_headers_and_truncated_data_name_the_file()
    {
        using var dir = new TempDirectory();
        Make(dir);
        var png = Path.Combine(dir.Path, "cat/b.png");
        var bytes = File.ReadAllBytes(png);
        bytes[16] ^= 0xFF; // inside IHDR: the CRC no longer matches
        File.WriteAllBytes(png, bytes);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(dir.Path));
        Assert.Contains(png, e.Message);
        Assert.Contains("corrupt PNG", e.Message);
        File.Delete(png);

        // A truncated JPEG keeps a valid header, so the scan passes and the batch that reads it fails.
        var jpg = Path.Combine(dir.Path, "cat/a.jpg");
        File.WriteAllBytes(jpg, File.ReadAllBytes(jpg)[..^200]);
        var d = ImageFolderDataset.Open(dir.Path, new ImageFolderOptions { Height = 8, Width = 8 });
        e = Assert.Throws<DatasetException>(() => d.GetBatch(new[] { 1, 0 }).Dispose());
        Assert.Contains(jpg, e.Message);
        Assert.Contains("corrupt JPEG data", e.Message);
    }

    [Fact]
    public void Missing_empty_or_flat_folders_are_clear_errors()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(Path.Combine(dir.Path, "nope")));
        Assert.Contains("not found", e.Message);

        e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(dir.Path));
        Assert.Contains("no class sub-folders", e.Message);
        Assert.Contains("<class>/<image>", e.Message);

        dir.File("a.png", new byte[] { 1 });
        e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(dir.Path));
        Assert.Contains("no class sub-folders", e.Message);

        dir.Sub("empty_class");
        e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Open(dir.Path));
        Assert.Contains("empty_class", e.Message);
        Assert.Contains("without any usable image", e.Message);

        Assert.Throws<ArgumentException>(() => ImageFolderDataset.Open(dir.Path,
            new ImageFolderOptions { BadFiles = BadFilePolicy.Skip, CheckHeaders = false }));
    }
}
