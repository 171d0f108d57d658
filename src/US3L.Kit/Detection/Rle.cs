using System.Text;

namespace US3L.Detection;

/// <summary>
/// A binary mask in COCO's run-length encoding (science.md 10.2): the pixels are read column by
/// column (column-major, as pycocotools), and <see cref="Counts"/> holds the lengths of alternating
/// runs of 0s and 1s, starting with 0s (a first count of 0 when the mask starts with a 1). Masks
/// elsewhere in the kit are row-major H×W bytes; <see cref="Encode"/> and <see cref="Decode"/> convert.
/// </summary>
public sealed class Rle
{
    private readonly uint[] counts;

    /// <summary>Wraps run lengths; they must add up to height × width.</summary>
    public Rle(int height, int width, uint[] counts)
    {
        if (height < 0 || width < 0) throw new ArgumentException($"Rle: size must be non-negative, got {height}x{width}.");
        long total = 0;
        foreach (var c in counts) total += c;
        if (total != (long)height * width)
            throw new ArgumentException($"Rle: the run lengths add up to {total} pixels, but a {height}x{width} mask has {(long)height * width}.");
        Height = height;
        Width = width;
        this.counts = counts;
    }

    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<uint> Counts => counts;

    /// <summary>Pixels set.</summary>
    public long Area
    {
        get
        {
            long a = 0;
            for (var j = 1; j < counts.Length; j += 2) a += counts[j];
            return a;
        }
    }

    /// <summary>Encodes a row-major H×W mask (any non-zero byte is set).</summary>
    public static Rle Encode(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (mask.Length != (long)height * width)
            throw new ArgumentException($"Rle.Encode: {mask.Length} bytes do not hold a {height}x{width} mask.");
        var runs = new List<uint>();
        var value = false;
        uint run = 0;
        for (var x = 0; x < width; x++)
            for (var y = 0; y < height; y++)
            {
                var set = mask[y * width + x] != 0;
                if (set != value)
                {
                    runs.Add(run);
                    run = 0;
                    value = set;
                }
                run++;
            }
        runs.Add(run);
        return new Rle(height, width, runs.ToArray());
    }

    /// <summary>The mask as row-major H×W bytes, 1 where set.</summary>
    public byte[] Decode()
    {
        var mask = new byte[(long)Height * Width];
        DecodeInto(mask);
        return mask;
    }

    /// <summary>Writes the mask row-major into <paramref name="mask"/> (H×W bytes, 1 where set, 0 elsewhere).</summary>
    public void DecodeInto(Span<byte> mask)
    {
        if (mask.Length != (long)Height * Width)
            throw new ArgumentException($"Rle.DecodeInto: {mask.Length} bytes do not hold a {Height}x{Width} mask.");
        long p = 0;
        byte value = 0;
        foreach (var c in counts)
        {
            for (long k = 0; k < c; k++, p++)
            {
                var x = (int)(p / Height);
                var y = (int)(p % Height);
                mask[y * Width + x] = value;
            }
            value ^= 1;
        }
    }

    /// <summary>
    /// The tightest box around the set pixels as COCO's (x, y, width, height) in pixel edges: a mask
    /// covering columns 2..4 has x = 2, width = 3. All zeros for an empty mask.
    /// </summary>
    public (double X, double Y, double W, double H) BoundingBox()
    {
        if (Area == 0) return (0, 0, 0, 0);
        long xs = long.MaxValue, xe = -1, ys = long.MaxValue, ye = -1, p = 0;
        for (var j = 0; j < counts.Length; j++)
        {
            if (j % 2 == 1 && counts[j] > 0)
            {
                long first = p, last = p + counts[j] - 1;
                long x0 = first / Height, x1 = last / Height;
                xs = Math.Min(xs, x0);
                xe = Math.Max(xe, x1);
                if (x0 == x1)
                {
                    ys = Math.Min(ys, first % Height);
                    ye = Math.Max(ye, last % Height);
                }
                else
                {
                    // The run wraps into a later column: it reaches the bottom row of its first column and the top row of the next.
                    ys = 0;
                    ye = Height - 1;
                }
            }
            p += counts[j];
        }
        return (xs, ys, xe - xs + 1, ye - ys + 1);
    }

    /// <summary>
    /// pycocotools' mask IoU: |dt ∩ gt| / |dt ∪ gt|, or |dt ∩ gt| / |dt| when the ground truth is a crowd
    /// region (a detection inside a crowd is fully "covered" however large the crowd is); 0 when
    /// they do not intersect.
    /// </summary>
    public static double Iou(Rle dt, Rle gt, bool gtIsCrowd)
    {
        if (dt.Height != gt.Height || dt.Width != gt.Width)
            throw new ArgumentException($"Rle.Iou: masks of different sizes, {dt.Height}x{dt.Width} and {gt.Height}x{gt.Width}.");
        long inter = 0, union = 0;
        int a = 0, b = 0;
        long ra = dt.counts.Length > 0 ? dt.counts[0] : 0, rb = gt.counts.Length > 0 ? gt.counts[0] : 0;
        bool va = false, vb = false;
        long left = (long)dt.Height * dt.Width;
        while (left > 0)
        {
            // Skip exhausted (zero-length) runs, flipping the value each time.
            while (ra == 0) { ra = dt.counts[++a]; va = !va; }
            while (rb == 0) { rb = gt.counts[++b]; vb = !vb; }
            var step = Math.Min(ra, rb);
            if (va || vb) union += step;
            if (va && vb) inter += step;
            ra -= step;
            rb -= step;
            left -= step;
        }
        if (inter == 0) return 0;
        return (double)inter / (gtIsCrowd ? dt.Area : union);
    }

    /// <summary>The union of masks of one size (COCO merges an object's polygons this way).</summary>
    public static Rle Union(IReadOnlyList<Rle> masks)
    {
        if (masks.Count == 0) throw new ArgumentException("Rle.Union: need at least one mask.");
        if (masks.Count == 1) return masks[0];
        var (h, w) = (masks[0].Height, masks[0].Width);
        var acc = new byte[(long)h * w];
        foreach (var m in masks)
        {
            if (m.Height != h || m.Width != w)
                throw new ArgumentException($"Rle.Union: masks of different sizes, {h}x{w} and {m.Height}x{m.Width}.");
            var bits = m.Decode();
            for (var i = 0; i < bits.Length; i++) acc[i] |= bits[i];
        }
        return Encode(acc, h, w);
    }

    /// <summary>
    /// COCO's compressed string form: each count as a LEB128-like sequence of 5-bit groups in ASCII
    /// characters 48-111 (bit 0x20 = more groups follow, bit 0x10 of the last group = sign); counts
    /// after the second are stored as differences to the count two places before.
    /// </summary>
    public string ToCompressedString()
    {
        var s = new StringBuilder();
        for (var i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            var more = true;
            while (more)
            {
                var c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                s.Append((char)(c + 48));
            }
        }
        return s.ToString();
    }

    /// <summary>Parses the compressed string form; a malformed string is a <see cref="FormatException"/> saying where.</summary>
    public static Rle FromCompressedString(string text, int height, int width)
    {
        var values = new List<uint>();
        var p = 0;
        while (p < text.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= text.Length) throw new FormatException($"the string ends inside a count (at character {p}).");
                var c = text[p] - 48;
                if (c < 0 || c > 63) throw new FormatException($"character '{text[p]}' at position {p} is outside the alphabet '0'..'o'.");
                if (k > 12) throw new FormatException($"the count ending at character {p} is too long.");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (values.Count > 2) x += values[^2];
            if (x < 0 || x > uint.MaxValue) throw new FormatException($"count {values.Count} decodes to {x}, outside [0, {uint.MaxValue}].");
            values.Add((uint)x);
        }
        return new Rle(height, width, values.ToArray());
    }

    /// <summary>The union of the polygons' fills (COCO's polygon segmentation), see <see cref="PolygonRaster"/>.</summary>
    public static Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        var mask = new byte[(long)height * width];
        foreach (var polygon in polygons) PolygonRaster.Fill(polygon, height, width, mask);
        return Encode(mask, height, width);
    }
}
