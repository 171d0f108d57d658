namespace US3L.Detection;

/// <summary>
/// Scanline fill of a COCO polygon (x0, y0, x1, y1, ...) in pixel coordinates, where pixel (row r,
/// column c) covers [c, c+1) × [r, r+1): a pixel is inside when its centre (c + ½, r + ½) is inside
/// the polygon under the even-odd rule, with a centre exactly on a left or top edge counting as
/// inside and one on a right or bottom edge as outside (so the square (0,0)-(10,10) fills exactly
/// 10 × 10 pixels).
/// <para>
/// pycocotools (rleFrPoly) samples the same centres, but first rounds the vertices to a 1/5-pixel
/// grid and walks the edges in those steps, so the two fills can differ on pixels whose centre lies
/// within about 0.2 pixel of an edge; everywhere else they agree (science.md 10.2 gives the measured
/// difference).
/// </para>
/// </summary>
public static class PolygonRaster
{
    /// <summary>
    /// Sets to 1 the pixels of the row-major H×W <paramref name="mask"/> inside the polygon; other
    /// pixels are left as they are, so several polygons fill their union.
    /// </summary>
    public static void Fill(ReadOnlySpan<double> xy, int height, int width, Span<byte> mask)
    {
        if (mask.Length != (long)height * width)
            throw new ArgumentException($"PolygonRaster.Fill: {mask.Length} bytes do not hold a {height}x{width} mask.");
        if (xy.Length < 6 || xy.Length % 2 != 0)
            throw new ArgumentException($"PolygonRaster.Fill: a polygon needs at least 3 points as x, y pairs, got {xy.Length} numbers.");
        var n = xy.Length / 2;
        double minY = double.MaxValue, maxY = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            minY = Math.Min(minY, xy[2 * i + 1]);
            maxY = Math.Max(maxY, xy[2 * i + 1]);
        }
        // Rows whose centre can fall inside: r + ½ in [minY, maxY).
        var firstRow = (int)Math.Clamp(Math.Ceiling(minY - 0.5), 0, height);
        var lastRow = (int)Math.Clamp(Math.Ceiling(maxY - 0.5), 0, height);
        var crossings = new List<double>(8);
        for (var r = firstRow; r < lastRow; r++)
        {
            var yc = r + 0.5;
            crossings.Clear();
            for (var i = 0; i < n; i++)
            {
                var j = (i + 1) % n;
                double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * j], y1 = xy[2 * j + 1];
                // Half-open in y: a vertex shared by two edges is crossed once; horizontal edges never.
                if ((y0 <= yc && yc < y1) || (y1 <= yc && yc < y0))
                    crossings.Add(x0 + (yc - y0) * (x1 - x0) / (y1 - y0));
            }
            crossings.Sort();
            var row = mask.Slice(r * width, width);
            for (var k = 0; k + 1 < crossings.Count; k += 2)
            {
                // Columns whose centre c + ½ lies in [left, right).
                var c0 = (int)Math.Clamp(Math.Ceiling(crossings[k] - 0.5), 0, width);
                var c1 = (int)Math.Clamp(Math.Ceiling(crossings[k + 1] - 0.5), 0, width);
                row.Slice(c0, c1 - c0).Fill(1);
            }
        }
    }
}
