using System.Text.Json;
using US3L.Data;

namespace US3L.Detection;

/// <summary>
/// Reads and checks a COCO instances file. Every problem is one <see cref="DatasetException"/> line:
/// "FILE: annotation 42: field 'bbox': ...", naming the entry by its id (or by its position when the
/// id itself is unreadable).
/// </summary>
internal static class CocoFile
{
    internal sealed record Parsed(CocoImageEntry[] Images, int[] CategoryIds, string[] CategoryNames);

    public static Parsed Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(File.Exists(path) ? $"{path}: cannot be read ({e.Message})." : $"COCO annotation file not found: {path}.", e);
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e)
        {
            throw new DatasetException($"{path}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message.Split(" Path:")[0]})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DatasetException($"{path}: expected a JSON object with images, annotations and categories.");
            var top = new Entry(path, "the file");
            var categories = ReadCategories(path, top.Array(root, "categories"));
            var images = ReadImages(path, top.Array(root, "images"));
            ReadAnnotations(path, top.Array(root, "annotations"), images, categories);
            var ordered = images.Values.OrderBy(i => i.Id).ToArray();
            var ids = categories.Keys.Order().ToArray();
            return new Parsed(ordered, ids, ids.Select(id => categories[id].Name).ToArray());
        }
    }

    private static Dictionary<int, (int Label, string Name)> ReadCategories(string path, JsonElement array)
    {
        var byId = new Dictionary<int, string>();
        var i = 0;
        foreach (var c in array.EnumerateArray())
        {
            var at = new Entry(path, $"categories[{i++}]");
            var id = at.Int(c, "id");
            var entry = new Entry(path, $"category {id}");
            if (id > int.MaxValue || id < int.MinValue) throw entry.Bad("id", $"{id} does not fit a 32-bit category id");
            if (byId.ContainsKey((int)id)) throw entry.Bad("id", "is used by two categories");
            byId[(int)id] = entry.String(c, "name");
        }
        if (byId.Count == 0) throw new DatasetException($"{path}: field 'categories' lists no category.");
        var label = 0;
        return byId.OrderBy(p => p.Key).ToDictionary(p => p.Key, p => (++label, p.Value));
    }

    private static Dictionary<long, CocoImageEntry> ReadImages(string path, JsonElement array)
    {
        var byId = new Dictionary<long, CocoImageEntry>();
        var i = 0;
        foreach (var img in array.EnumerateArray())
        {
            var id = new Entry(path, $"images[{i++}]").Int(img, "id");
            var entry = new Entry(path, $"image {id}");
            if (byId.ContainsKey(id)) throw entry.Bad("id", "is used by two images");
            var width = entry.Int(img, "width");
            var height = entry.Int(img, "height");
            if (width <= 0 || height <= 0 || width * height > ImageDecoder.MaxPixels)
                throw entry.Bad("width", $"{width}x{height} is not a plausible image size");
            var file = entry.String(img, "file_name");
            if (file.Length == 0 || Path.IsPathRooted(file)) throw entry.Bad("file_name", $"'{file}' must be a file name relative to the image folder");
            byId[id] = new CocoImageEntry(id, file, (int)width, (int)height, new List<CocoAnnotation>());
        }
        return byId;
    }

    private static void ReadAnnotations(string path, JsonElement array, Dictionary<long, CocoImageEntry> images,
        Dictionary<int, (int Label, string Name)> categories)
    {
        var seen = new HashSet<long>();
        var i = 0;
        foreach (var a in array.EnumerateArray())
        {
            var id = new Entry(path, $"annotations[{i++}]").Int(a, "id");
            var entry = new Entry(path, $"annotation {id}");
            if (!seen.Add(id)) throw entry.Bad("id", "is used by two annotations");
            var imageId = entry.Int(a, "image_id");
            if (!images.TryGetValue(imageId, out var image)) throw entry.Bad("image_id", $"{imageId} is not an image of the file");
            var categoryId = entry.Int(a, "category_id");
            if (categoryId > int.MaxValue || categoryId < int.MinValue || !categories.TryGetValue((int)categoryId, out var category))
                throw entry.Bad("category_id", $"{categoryId} is not a category of the file");
            var bbox = entry.Numbers(a, "bbox");
            if (bbox.Length != 4) throw entry.Bad("bbox", $"expected 4 numbers [x, y, width, height], got {bbox.Length}");
            if (bbox[2] < 0 || bbox[3] < 0) throw entry.Bad("bbox", $"width and height must be non-negative, got {bbox[2]} and {bbox[3]}");
            var area = entry.Number(a, "area");
            if (area < 0) throw entry.Bad("area", $"must be non-negative, got {area}");
            var crowd = false;
            if (a.TryGetProperty("iscrowd", out var crowdValue))
            {
                var flag = entry.Int(a, "iscrowd");
                if (flag is not (0 or 1)) throw entry.Bad("iscrowd", $"must be 0 or 1, got {flag}");
                crowd = flag == 1;
            }
            var (polygons, rle) = Segmentation(entry, a, image);
            image.Annotations.Add(new CocoAnnotation(id, category.Label, (bbox[0], bbox[1], bbox[2], bbox[3]), area, crowd, polygons, rle));
        }
    }

    private static (IReadOnlyList<double[]>?, Rle?) Segmentation(Entry entry, JsonElement annotation, CocoImageEntry image)
    {
        if (!annotation.TryGetProperty("segmentation", out var s)) throw entry.Bad("segmentation", "is missing");
        if (s.ValueKind == JsonValueKind.Array)
        {
            var polygons = new List<double[]>();
            var k = 0;
            foreach (var p in s.EnumerateArray())
            {
                var field = $"segmentation[{k++}]";
                if (p.ValueKind != JsonValueKind.Array) throw entry.Bad(field, $"expected a polygon [x0, y0, x1, y1, ...], got {Kind(p)}");
                var xy = entry.NumberArray(p, field);
                if (xy.Length < 4 || xy.Length % 2 != 0)
                    throw entry.Bad(field, $"a polygon needs an even count of at least 4 coordinates, got {xy.Length}");
                polygons.Add(xy);
            }
            if (polygons.Count == 0) throw entry.Bad("segmentation", "is an empty list of polygons");
            return (polygons, null);
        }
        if (s.ValueKind != JsonValueKind.Object) throw entry.Bad("segmentation", $"expected a list of polygons or an RLE object, got {Kind(s)}");
        var size = entry.Numbers(s, "segmentation.size", "size");
        if (size.Length != 2 || size[0] != image.Height || size[1] != image.Width)
            throw entry.Bad("segmentation.size", $"expected [{image.Height}, {image.Width}] (the image's height and width), got [{string.Join(", ", size)}]");
        if (!s.TryGetProperty("counts", out var counts)) throw entry.Bad("segmentation.counts", "is missing");
        try
        {
            if (counts.ValueKind == JsonValueKind.String)
                return (null, Rle.FromCompressedString(counts.GetString()!, image.Height, image.Width));
            if (counts.ValueKind != JsonValueKind.Array)
                throw entry.Bad("segmentation.counts", $"expected a list of run lengths or a compressed string, got {Kind(counts)}");
            var runs = new List<uint>();
            foreach (var c in counts.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Number || !c.TryGetUInt32(out var run))
                    throw entry.Bad("segmentation.counts", $"run {runs.Count} is {c.GetRawText()}, not a non-negative integer");
                runs.Add(run);
            }
            return (null, new Rle(image.Height, image.Width, runs.ToArray()));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw entry.Bad("segmentation.counts", $"is invalid: {e.Message.TrimEnd('.').Replace("Rle: ", "")}");
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    /// <summary>Typed reads of one JSON entry's fields; failures name the file, the entry and the field.</summary>
    private readonly record struct Entry(string Path, string What)
    {
        public DatasetException Bad(string field, string problem) => new($"{Path}: {What}: field '{field}' {problem}.");

        private JsonElement Field(JsonElement obj, string field, string? name = null)
        {
            if (obj.ValueKind != JsonValueKind.Object) throw new DatasetException($"{Path}: {What}: expected a JSON object, got {Kind(obj)}.");
            return obj.TryGetProperty(name ?? field, out var v) ? v : throw Bad(field, "is missing");
        }

        public JsonElement Array(JsonElement obj, string field)
        {
            var v = Field(obj, field);
            return v.ValueKind == JsonValueKind.Array ? v : throw Bad(field, $"must be a list, got {Kind(v)}");
        }

        public long Int(JsonElement obj, string field)
        {
            var v = Field(obj, field);
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
            // COCO files written by numpy sometimes hold integral floats (e.g. "iscrowd": 0.0).
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15) return (long)d;
            throw Bad(field, $"must be an integer, got {v.GetRawText()}");
        }

        public double Number(JsonElement obj, string field)
        {
            var v = Field(obj, field);
            return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)
                ? d : throw Bad(field, $"must be a finite number, got {v.GetRawText()}");
        }

        public string String(JsonElement obj, string field)
        {
            var v = Field(obj, field);
            return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(field, $"must be a string, got {v.GetRawText()}");
        }

        /// <summary>The list of finite numbers at obj[name], reported as <paramref name="field"/>.</summary>
        public double[] Numbers(JsonElement obj, string field, string? name = null)
        {
            var v = Field(obj, field, name);
            if (v.ValueKind != JsonValueKind.Array) throw Bad(field, $"must be a list of numbers, got {Kind(v)}");
            return NumberArray(v, field);
        }

        public double[] NumberArray(JsonElement array, string field)
        {
            var values = new double[array.GetArrayLength()];
            var k = 0;
            foreach (var x in array.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var d) || !double.IsFinite(d))
                    throw Bad(field, $"element {k} is {x.GetRawText()}, not a finite number");
                values[k++] = d;
            }
            return values;
        }
    }
}
