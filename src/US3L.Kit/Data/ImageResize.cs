namespace US3L.Data;

/// <summary>How a decoded image is brought to the dataset's fixed size.</summary>
public enum ResizeMode
{
    /// <summary>Scale so the image covers the target, then cut the centre (keeps the aspect ratio;
    /// torchvision's Resize(s) + CenterCrop(s) for a square target).</summary>
    CenterCrop,
    /// <summary>Scale width and height independently to the target (distorts the aspect ratio).</summary>
    Stretch,
}

/// <summary>
/// Resampling of interleaved 8-bit images with a triangle (bilinear) filter whose support widens
/// with the downscale factor, as PIL's antialiased BILINEAR does: upscaling is plain bilinear
/// interpolation, downscaling averages every source pixel under the output pixel (no aliasing).
/// Separable: one horizontal pass into floats, one vertical pass to bytes.
/// </summary>
public static class ImageResize
{
    /// <summary>
    /// Resizes an H×W×C interleaved image to <paramref name="outHeight"/>×<paramref name="outWidth"/>
    /// and returns it channel-major (C×H×W), the layout datasets store.
    /// </summary>
    public static byte[] ToChw(ReadOnlySpan<byte> hwc, int height, int width, int channels,
        int outHeight, int outWidth, ResizeMode mode = ResizeMode.CenterCrop)
    {
        if (hwc.Length != (long)height * width * channels)
            throw new ArgumentException($"Resize: {hwc.Length} bytes do not hold a {height}x{width}x{channels} image.");
        if (outHeight <= 0 || outWidth <= 0)
            throw new ArgumentException($"Resize: target size must be positive, got {outHeight}x{outWidth}.");

        // The source box that maps onto the output: the whole image, or its centre with the target's aspect ratio.
        double boxX = 0, boxY = 0, boxW = width, boxH = height;
        if (mode == ResizeMode.CenterCrop)
        {
            var scale = Math.Max((double)outWidth / width, (double)outHeight / height);
            boxW = outWidth / scale;
            boxH = outHeight / scale;
            boxX = (width - boxW) / 2;
            boxY = (height - boxH) / 2;
        }
        var cols = Weights(width, boxX, boxW, outWidth);
        var rows = Weights(height, boxY, boxH, outHeight);

        // Horizontal pass over the source rows the vertical pass will read.
        var firstRow = rows[0].Start;
        var lastRow = rows[^1].Start + rows[^1].W.Length;
        var tmp = new float[(lastRow - firstRow) * outWidth * channels];
        for (var y = firstRow; y < lastRow; y++)
        {
            var src = hwc.Slice(y * width * channels, width * channels);
            var dstRow = (y - firstRow) * outWidth * channels;
            for (var x = 0; x < outWidth; x++)
            {
                var (start, w) = cols[x];
                for (var c = 0; c < channels; c++)
                {
                    float acc = 0;
                    for (var k = 0; k < w.Length; k++) acc += w[k] * src[(start + k) * channels + c];
                    tmp[dstRow + x * channels + c] = acc;
                }
            }
        }

        var result = new byte[channels * outHeight * outWidth];
        var plane = outHeight * outWidth;
        for (var y = 0; y < outHeight; y++)
        {
            var (start, w) = rows[y];
            for (var x = 0; x < outWidth; x++)
                for (var c = 0; c < channels; c++)
                {
                    float acc = 0;
                    for (var k = 0; k < w.Length; k++) acc += w[k] * tmp[((start - firstRow + k) * outWidth + x) * channels + c];
                    result[c * plane + y * outWidth + x] = (byte)Math.Clamp(MathF.Round(acc), 0f, 255f);
                }
        }
        return result;
    }

    /// <summary>
    /// For each of <paramref name="outSize"/> output pixels, the first source pixel and the normalised
    /// filter weights, mapping the source interval [boxStart, boxStart + boxSize) onto the output.
    /// </summary>
    private static (int Start, float[] W)[] Weights(int inSize, double boxStart, double boxSize, int outSize)
    {
        var scale = boxSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterScale; // the triangle filter has radius 1 in output units
        var result = new (int, float[])[outSize];
        for (var i = 0; i < outSize; i++)
        {
            var center = boxStart + (i + 0.5) * scale;
            var lo = Math.Max((int)Math.Floor(center - support + 0.5), 0);
            var hi = Math.Min((int)Math.Floor(center + support + 0.5), inSize);
            if (hi <= lo) { lo = Math.Clamp((int)center, 0, inSize - 1); hi = lo + 1; }
            var w = new float[hi - lo];
            double total = 0;
            for (var j = lo; j < hi; j++)
            {
                var t = Math.Max(0, 1 - Math.Abs((j + 0.5 - center) / filterScale));
                w[j - lo] = (float)t;
                total += t;
            }
            if (total <= 0) { Array.Fill(w, 0f); w[Math.Clamp((int)center - lo, 0, w.Length - 1)] = 1; total = 1; }
            for (var k = 0; k < w.Length; k++) w[k] = (float)(w[k] / total);
            result[i] = (lo, w);
        }
        return result;
    }
}
