using System.Text.Json.Nodes;
using US3L.Data;
using US3L.Detection;
using US3L.Tests.Data;

namespace US3L.Tests.Detection;

/// <summary>
/// The COCO loader on a small instances file written here: category ids to contiguous labels,
/// polygons (several per object), uncompressed and compressed RLE, crowd flags, images decoded from
/// PNG; and one clear error per malformed field, naming the file, the annotation id and the field.
/// </summary>
public class CocoDatasetTests
{
    // Two PNG images whose pixel (x, y) of channel c is (7x + 3y + 50c) mod 256.
    private const string WriteImages = """
        import sys, os, numpy as np
        from PIL import Image
        for name, (h, w) in {"a.png": (16, 20), "b.png": (12, 10)}.items():
            y, x, c = np.mgrid[0:h, 0:w, 0:3]
            Image.fromarray(((7 * x + 3 * y + 50 * c) % 256).astype(np.uint8), "RGB").save(os.path.join(sys.argv[1], name))
        """;

    // Object 2 of image 5: a crowd region over columns 15-17, rows 4-11, as uncompressed RLE.
    private static readonly byte[] CrowdMask = Box(16, 20, 15, 4, 18, 12);
    // Object 3 of image 2: rows 2-5 of columns 1-6, as a compressed string.
    private static readonly byte[] StringMask = Box(12, 10, 1, 2, 7, 6);

    private static JsonObject Annotations() => new()
    {
        ["images"] = new JsonArray(
            new JsonObject { ["id"] = 5, ["file_name"] = "a.png", ["width"] = 20, ["height"] = 16 },
            new JsonObject { ["id"] = 2, ["file_name"] = "b.png", ["width"] = 10, ["height"] = 12 }),
        ["categories"] = new JsonArray(
            new JsonObject { ["id"] = 12, ["name"] = "twelve" },
            new JsonObject { ["id"] = 3, ["name"] = "three" },
            new JsonObject { ["id"] = 7, ["name"] = "seven" }),
        ["annotations"] = new JsonArray(
            new JsonObject
            {
                ["id"] = 1, ["image_id"] = 5, ["category_id"] = 12, ["iscrowd"] = 0, ["area"] = 39.0,
                ["bbox"] = new JsonArray(2.0, 1.0, 10.0, 9.0),
                ["segmentation"] = new JsonArray(new JsonArray(2, 3, 7, 3, 7, 10, 2, 10), new JsonArray(10, 1, 12, 1, 12, 3, 10, 3)),
            },
            new JsonObject
            {
                ["id"] = 2, ["image_id"] = 5, ["category_id"] = 3, ["iscrowd"] = 1, ["area"] = 24,
                ["bbox"] = new JsonArray(15, 4, 3, 8),
                ["segmentation"] = new JsonObject
                {
                    ["size"] = new JsonArray(16, 20), ["counts"] = CocoReference.Array(Rle.Encode(CrowdMask, 16, 20).Counts),
                },
            },
            new JsonObject
            {
                ["id"] = 3, ["image_id"] = 2, ["category_id"] = 7, ["area"] = 24,
                ["bbox"] = new JsonArray(1, 2, 6, 4),
                ["segmentation"] = new JsonObject { ["size"] = new JsonArray(12, 10), ["counts"] = Rle.Encode(StringMask, 12, 10).ToCompressedString() },
            }),
    };

    /// <summary>The annotation file, and the images unless only the file's checks are tested (they run before any image is read).</summary>
    private static (TempDirectory Dir, string File) Write(JsonObject json, bool images = true)
    {
        var dir = new TempDirectory();
        var file = dir.File("annotations/instances_test.json", System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        var folder = dir.Sub("images");
        if (images) Python.Run(WriteImages, folder);
        return (dir, file);
    }

    [Fact]
    public void LoadsImagesMasksBoxesLabelsAndCrowdFlags()
    {
        var (dir, file) = Write(Annotations());
        using var _ = dir;
        var coco = CocoDataset.Load(file, Path.Combine(dir.Path, "images"));
        Assert.Equal(2, coco.Count);
        Assert.Equal(new[] { "three", "seven", "twelve" }, coco.ClassNames);
        Assert.Equal(new[] { 3, 7, 12 }, coco.CategoryIds);
        Assert.Equal(2L, coco.ImageInfo(0).Id); // ordered by id

        using var a = coco.Get(1);
        Assert.Equal(5L, a.ImageId);
        Assert.Equal(new long[] { 3, 16, 20 }, a.Image.shape);
        var pixels = a.Image.ToArray<byte>();
        Assert.Equal((7 * 4 + 3 * 9 + 50 * 2) % 256, pixels[(2 * 16 + 9) * 20 + 4]);
        var t = a.Target;
        Assert.Equal(new long[] { 3, 1 }, t.Labels.ToArray<long>());
        Assert.Equal(new long[] { 0, 1 }, t.IsCrowd.ToArray<long>());
        Assert.Equal(new float[] { 2, 1, 12, 10, 15, 4, 18, 12 }, t.Boxes.ToArray<float>());
        Assert.Equal(new float[] { 39, 24 }, t.Area.ToArray<float>());
        var expectedPolygons = new byte[16 * 20];
        foreach (var (x0, y0, x1, y1) in new[] { (2, 3, 7, 10), (10, 1, 12, 3) })
            Box(16, 20, x0, y0, x1, y1).Select((v, i) => (v, i)).Where(p => p.v == 1).ToList().ForEach(p => expectedPolygons[p.i] = 1);
        Assert.Equal(expectedPolygons, t.Masks.select(0, 0).ToArray<byte>());
        Assert.Equal(CrowdMask, t.Masks.select(0, 1).ToArray<byte>());

        using var b = coco.Get(0);
        Assert.Equal(StringMask, b.Target.Masks.select(0, 0).ToArray<byte>());
        Assert.Equal(new long[] { 2 }, b.Target.Labels.ToArray<long>());
        Assert.Equal(new long[] { 0 }, b.Target.IsCrowd.ToArray<long>()); // no "iscrowd": 0

        // Training drops the crowd region; the evaluation keeps it, with the file's box.
        using var train = t.ForTraining();
        Assert.Equal(new long[] { 3 }, train.Labels.ToArray<long>());
        var truth = coco.GroundTruth(1);
        Assert.Equal(new[] { false, true }, truth.Objects.Select(o => o.IsCrowd));
        Assert.Equal((2.0, 1.0, 10.0, 9.0), truth.Objects[0].Box);
        Assert.Equal(new long[] { 1, 2 }, truth.Objects.Select(o => o.Id));
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "bbox", "annotation 2: field 'bbox'", "expected 4 numbers" },
        { "category", "annotation 2: field 'category_id'", "99 is not a category" },
        { "image", "annotation 3: field 'image_id'", "8 is not an image" },
        { "size", "annotation 2: field 'segmentation.size'", "expected [16, 20]" },
        { "counts", "annotation 2: field 'segmentation.counts'", "add up to 321 pixels" },
        { "string", "annotation 3: field 'segmentation.counts'", "outside the alphabet" },
        { "polygon", "annotation 1: field 'segmentation[1]'", "even count" },
        { "area", "annotation 3: field 'area'", "is missing" },
        { "crowd", "annotation 1: field 'iscrowd'", "must be 0 or 1" },
        { "id", "annotations[1]: field 'id'", "is missing" },
        { "duplicate", "annotation 1: field 'id'", "used by two annotations" },
        { "width", "image 2: field 'width'", "is missing" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFieldsNameTheFileTheAnnotationAndTheField(string breakage, string where, string what)
    {
        var json = Annotations();
        var annotations = json["annotations"]!.AsArray();
        switch (breakage)
        {
            case "bbox": annotations[1]!["bbox"] = new JsonArray(1, 2, 3); break;
            case "category": annotations[1]!["category_id"] = 99; break;
            case "image": annotations[2]!["image_id"] = 8; break;
            case "size": annotations[1]!["segmentation"]!["size"] = new JsonArray(20, 16); break;
            case "counts": annotations[1]!["segmentation"]!["counts"]!.AsArray().Add(1); break;
            case "string": annotations[2]!["segmentation"]!["counts"] = "0~x"; break;
            case "polygon": annotations[0]!["segmentation"]![1]!.AsArray().Add(5); break;
            case "area": annotations[2]!.AsObject().Remove("area"); break;
            case "crowd": annotations[0]!["iscrowd"] = 2; break;
            case "id": annotations[1]!.AsObject().Remove("id"); break;
            case "duplicate": annotations[1]!["id"] = 1; break;
            case "width": json["images"]![1]!.AsObject().Remove("width"); break;
        }
        var (dir, file) = Write(json, images: false);
        using var _ = dir;
        var e = Assert.Throws<DatasetException>(() => CocoDataset.Load(file, Path.Combine(dir.Path, "images")));
        Assert.StartsWith(file + ": ", e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void InvalidJsonAndMismatchedImagesAreErrorsNamingTheFile()
    {
        using var dir = new TempDirectory();
        var bad = dir.File("bad.json", "{\"images\": [}"u8.ToArray());
        Assert.Contains($"{bad}: not valid JSON", Assert.Throws<DatasetException>(() => CocoDataset.Load(bad, dir.Path)).Message);

        var json = Annotations();
        json["images"]![0]!["width"] = 21;
        json["annotations"]![1]!["segmentation"] = new JsonArray(new JsonArray(1, 1, 3, 1, 3, 3));
        var (d2, file) = Write(json);
        using var __ = d2;
        var coco = CocoDataset.Load(file, Path.Combine(d2.Path, "images"));
        var e = Assert.Throws<DatasetException>(() => coco.Get(1));
        Assert.Contains("a.png: the image is 20x16", e.Message);
        Assert.Contains("gives 21x16 for image 5", e.Message);
    }

    /// <summary>An h x w row-major mask set on columns [x0, x1) of rows [y0, y1).</summary>
    private static byte[] Box(int h, int w, int x0, int y0, int x1, int y1)
    {
        var m = new byte[h * w];
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) m[y * w + x] = 1;
        return m;
    }
}
