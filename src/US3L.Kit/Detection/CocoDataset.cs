using US3L.Data;
using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// A COCO instances file (instances_*.json) over a folder of its images (science.md 10.2). Category
/// ids become contiguous labels 1..K in increasing id order (0 is the background); polygons are
/// rasterized with <see cref="PolygonRaster"/> (an object's polygons are united, as pycocotools
/// does); RLE segmentations may be uncompressed (a list of counts) or compressed (COCO's string);
/// crowd flags are kept. Images are ordered by id (torchvision's CocoDetection order) and decoded
/// when read; masks are rasterized when read. Boxes are the file's (x, y, w, h) as (x, y, x + w, y + h),
/// not clipped; <see cref="DetectionTarget.ForTraining"/> clips and filters them for training.
/// <para>
/// The file is checked when loaded: a malformed entry is a <see cref="DatasetException"/> naming the
/// file, the annotation (or image, or category) id and the field. A missing "iscrowd" counts as 0.
/// </para>
/// </summary>
public sealed class CocoDataset : DetectionDataset
{
    private readonly CocoImageEntry[] images;
    private readonly int[] categoryIds;

    private CocoDataset(string name, string annotationFile, string imageFolder, CocoImageEntry[] images, int[] categoryIds, string[] classNames)
        : base(name, classNames)
    {
        AnnotationFile = annotationFile;
        ImageFolder = imageFolder;
        this.images = images;
        this.categoryIds = categoryIds;
    }

    /// <summary>Reads and checks <paramref name="annotationFile"/>; images are looked up in <paramref name="imageFolder"/> by file_name.</summary>
    public static CocoDataset Load(string annotationFile, string imageFolder)
    {
        if (!Directory.Exists(imageFolder))
            throw new DatasetException($"COCO image folder not found: {imageFolder} (the images of {annotationFile}).");
        var parsed = CocoFile.Read(annotationFile);
        var name = $"coco/{Path.GetFileNameWithoutExtension(annotationFile)}";
        return new CocoDataset(name, annotationFile, imageFolder, parsed.Images, parsed.CategoryIds, parsed.CategoryNames);
    }

    public string AnnotationFile { get; }
    public string ImageFolder { get; }
    public override int Count => images.Length;

    /// <summary>COCO category id of each label: label k has id CategoryIds[k - 1].</summary>
    public IReadOnlyList<int> CategoryIds => categoryIds;

    /// <summary>The image entry at <paramref name="index"/>: id, file name and size as the file gives them.</summary>
    public (long Id, string FileName, int Width, int Height) ImageInfo(int index)
    {
        CheckIndex(index);
        var e = images[index];
        return (e.Id, e.FileName, e.Width, e.Height);
    }

    public override DetectionSample Get(int index)
    {
        CheckIndex(index);
        var entry = images[index];
        var path = Path.Combine(ImageFolder, entry.FileName);
        var decoded = ImageDecoder.DecodeFile(path);
        if (decoded.Width != entry.Width || decoded.Height != entry.Height)
            throw new DatasetException(
                $"{path}: the image is {decoded.Width}x{decoded.Height} but {AnnotationFile} gives {entry.Width}x{entry.Height} for image {entry.Id}.");
        using var scope = torch.NewDisposeScope();
        var image = torch.tensor<byte>(decoded.Rgb, entry.Height, entry.Width, 3).permute(2, 0, 1).contiguous();
        return new DetectionSample(image, Target(entry));
    }

    public override ImageTruth GroundTruth(int index)
    {
        CheckIndex(index);
        var e = images[index];
        var objects = e.Annotations.Select(a => new TruthObject(a.Id, a.Label, a.Box, a.Area, a.IsCrowd, a.Mask(e.Height, e.Width))).ToList();
        return new ImageTruth(e.Id, e.Height, e.Width, objects);
    }

    private static DetectionTarget Target(CocoImageEntry e)
    {
        var n = e.Annotations.Count;
        var plane = e.Height * e.Width;
        var boxes = new float[n * 4];
        var labels = new long[n];
        var crowd = new long[n];
        var area = new float[n];
        var masks = new byte[(long)n * plane];
        for (var k = 0; k < n; k++)
        {
            var a = e.Annotations[k];
            boxes[4 * k] = (float)a.Box.X;
            boxes[4 * k + 1] = (float)a.Box.Y;
            boxes[4 * k + 2] = (float)(a.Box.X + a.Box.W);
            boxes[4 * k + 3] = (float)(a.Box.Y + a.Box.H);
            labels[k] = a.Label;
            crowd[k] = a.IsCrowd ? 1 : 0;
            area[k] = (float)a.Area;
            a.Mask(e.Height, e.Width).DecodeInto(masks.AsSpan((int)((long)k * plane), plane));
        }
        return new DetectionTarget(e.Id, torch.tensor<float>(boxes, n, 4), torch.tensor<long>(labels, n),
            torch.tensor<byte>(masks, n, e.Height, e.Width), torch.tensor<long>(crowd, n), torch.tensor<float>(area, n));
    }
}

/// <summary>One image of a COCO file and its annotations, in file order.</summary>
internal sealed record CocoImageEntry(long Id, string FileName, int Width, int Height, List<CocoAnnotation> Annotations);

/// <summary>One checked annotation; its mask is rasterized or decoded on demand.</summary>
internal sealed record CocoAnnotation(long Id, int Label, (double X, double Y, double W, double H) Box, double Area, bool IsCrowd,
    IReadOnlyList<double[]>? Polygons, Rle? Encoded)
{
    public Rle Mask(int height, int width) => Encoded ?? Rle.FromPolygons(Polygons!, height, width);
}
