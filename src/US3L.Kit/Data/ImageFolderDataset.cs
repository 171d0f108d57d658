namespace US3L.Data;

/// <summary>What to do with a file in an image folder that is not a readable JPEG or PNG.</summary>
public enum BadFilePolicy
{
    /// <summary>Stop with an error that names the file.</summary>
    Error,
    /// <summary>Leave the file out and report it through the warning callback.</summary>
    Skip,
}

/// <summary>Options of <see cref="ImageFolderDataset"/>.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Output height and width; every image is resized to this.</summary>
    public int Height { get; init; } = 224;
    public int Width { get; init; } = 224;
    public ResizeMode Resize { get; init; } = ResizeMode.CenterCrop;
    public BadFilePolicy BadFiles { get; init; } = BadFilePolicy.Error;
    /// <summary>
    /// Read every file's header while scanning, so that a non-image or a corrupt header is found at
    /// once rather than in the middle of an epoch. Required for <see cref="BadFilePolicy.Skip"/>.
    /// Turn it off for very large folders; a bad file then fails the batch that reads it.
    /// </summary>
    public bool CheckHeaders { get; init; } = true;
    /// <summary>Receives one line per skipped file; default writes to standard error.</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>
/// An ImageNet-style folder, <c>root/&lt;class&gt;/&lt;image&gt;</c> (as torchvision's ImageFolder):
/// class names are the sub-folder names in ordinal order, each class's files are found recursively
/// and sorted. Images are decoded when a batch reads them (JPEG via libturbojpeg, PNG via libspng),
/// converted to RGB and resized to the fixed <see cref="ImageFolderOptions.Height"/>×<see cref="ImageFolderOptions.Width"/>
/// on the CPU, so a batch is [B, 3, H, W] like every other dataset. Call
/// <see cref="ImageDataset.ToInMemory"/> to decode once when the resized set fits in memory.
/// </summary>
public sealed class ImageFolderDataset : ImageDataset
{
    private readonly string[] files;
    private readonly long[] labels;
    private readonly ResizeMode resize;

    private ImageFolderDataset(string name, IReadOnlyList<string> classes, string[] files, long[] labels, ImageFolderOptions o)
        : base(name, 3, o.Height, o.Width, classes)
    {
        this.files = files;
        this.labels = labels;
        resize = o.Resize;
    }

    /// <summary>Scans <paramref name="root"/>; see the class summary for the layout.</summary>
    public static ImageFolderDataset Open(string root, ImageFolderOptions? options = null)
    {
        var o = options ?? new ImageFolderOptions();
        if (o.Height <= 0 || o.Width <= 0) throw new ArgumentException($"Image folder: size must be positive, got {o.Height}x{o.Width}.");
        if (o.BadFiles == BadFilePolicy.Skip && !o.CheckHeaders)
            throw new ArgumentException("Image folder: skipping bad files needs CheckHeaders = true (bad files are found by reading them).");
        if (!Directory.Exists(root)) throw new DatasetException($"Image folder not found: {root}.");

        var classDirs = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DatasetException(
                $"{root}: no class sub-folders. Expected the layout {root}/<class>/<image> " +
                "(one folder per class, e.g. n01440764/ILSVRC2012_val_00000293.JPEG).");

        var warn = o.Warn ?? (line => Console.Error.WriteLine(line));
        var fileList = new List<string>();
        var labelList = new List<long>();
        var emptyClasses = new List<string>();
        for (var c = 0; c < classDirs.Length; c++)
        {
            var found = Directory.EnumerateFiles(classDirs[c], "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .OrderBy(f => f, StringComparer.Ordinal).ToArray();
            var kept = o.CheckHeaders ? CheckFiles(found, o.BadFiles, warn) : found;
            if (kept.Length == 0) emptyClasses.Add(Path.GetFileName(classDirs[c]));
            fileList.AddRange(kept);
            labelList.AddRange(Enumerable.Repeat((long)c, kept.Length));
        }
        if (emptyClasses.Count > 0)
            throw new DatasetException(
                $"{root}: class folder(s) without any usable image: {string.Join(", ", emptyClasses.Take(10))}" +
                $"{(emptyClasses.Count > 10 ? $" and {emptyClasses.Count - 10} more" : "")}. Remove them or add images.");

        var names = classDirs.Select(Path.GetFileName).Select(n => n!).ToArray();
        var name = $"folder:{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))}";
        return new ImageFolderDataset(name, names, fileList.ToArray(), labelList.ToArray(), o);
    }

    public override int Count => files.Length;

    /// <summary>The file behind image <paramref name="index"/>.</summary>
    public string FilePath(int index)
    {
        CheckIndex(index);
        return files[index];
    }

    public override long Label(int index)
    {
        CheckIndex(index);
        return labels[index];
    }

    protected override bool ReadsAreExpensive => true;

    public override void CopyImage(int index, Span<byte> destination)
    {
        CheckIndex(index);
        var image = ImageDecoder.DecodeFile(files[index]);
        var chw = ImageResize.ToChw(image.Rgb, image.Height, image.Width, 3, Height, Width, resize);
        chw.CopyTo(destination);
    }

    private static string[] CheckFiles(string[] paths, BadFilePolicy policy, Action<string> warn)
    {
        var ok = new bool[paths.Length];
        var errors = new DatasetException?[paths.Length];
        Parallel.For(0, paths.Length, i =>
        {
            try
            {
                ImageDecoder.ReadHeader(ImageDecoder.ReadFile(paths[i]), paths[i]);
                ok[i] = true;
            }
            catch (DatasetException e) { errors[i] = e; }
        });
        for (var i = 0; i < paths.Length; i++)
        {
            if (errors[i] is null) continue;
            if (policy == BadFilePolicy.Error) throw errors[i]!;
            warn($"warning: skipping {errors[i]!.Message}");
        }
        return paths.Where((_, i) => ok[i]).ToArray();
    }
}
