using US3L.Data.Native;

namespace US3L.Data;

/// <summary>An image decoded to interleaved 8-bit RGB, row after row (H×W×3).</summary>
public sealed record DecodedImage(int Width, int Height, byte[] Rgb);

/// <summary>Image file formats the kit decodes.</summary>
public enum ImageFormat { Jpeg, Png }

/// <summary>
/// Decodes JPEG (libturbojpeg) and PNG (libspng) to RGB; grayscale and palette images are expanded,
/// alpha is dropped. The format is recognised by the file's signature, not its extension. Every
/// failure is a <see cref="DatasetException"/> that names the file.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Larger images are refused as almost certainly corrupt headers (and 768 MB of RGB).</summary>
    public const long MaxPixels = 1L << 28;

    private static ReadOnlySpan<byte> PngSignature => new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>The format from the first bytes, or null for anything else.</summary>
    public static ImageFormat? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return ImageFormat.Jpeg;
        if (bytes.StartsWith(PngSignature)) return ImageFormat.Png;
        return null;
    }

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    public static DecodedImage DecodeFile(string path) => Decode(ReadFile(path), path);

    /// <summary>Format and size from the header only (cheap: no pixel decoding).</summary>
    public static (ImageFormat Format, int Width, int Height) ReadHeader(byte[] bytes, string path)
    {
        var format = Sniff(bytes) ?? throw NotAnImage(bytes, path);
        var (w, h) = format == ImageFormat.Jpeg ? JpegHeader(bytes, path) : PngHeader(bytes, path);
        return (format, w, h);
    }

    /// <summary>Decodes file contents; <paramref name="path"/> is used in error messages.</summary>
    public static DecodedImage Decode(byte[] bytes, string path) =>
        (Sniff(bytes) ?? throw NotAnImage(bytes, path)) == ImageFormat.Jpeg ? DecodeJpeg(bytes, path) : DecodePng(bytes, path);

    internal static byte[] ReadFile(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    private static DatasetException NotAnImage(byte[] bytes, string path) =>
        new($"{path}: not a JPEG or PNG image (first bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}" +
            $"{(bytes.Length == 0 ? "empty file" : "")}).");

    private static void CheckSize(long w, long h, string path)
    {
        if (w <= 0 || h <= 0 || w * h > MaxPixels)
            throw new DatasetException($"{path}: image size {w}x{h} is empty or too large (limit {MaxPixels} pixels); the file is corrupt.");
    }

    private static unsafe (int W, int H) JpegHeader(byte[] bytes, string path) => WithJpeg(handle =>
    {
        fixed (byte* p = bytes)
        {
            if (TurboJpeg.tjDecompressHeader3(handle, p, (nuint)bytes.Length, out var w, out var h, out _, out _) != 0)
                throw new DatasetException($"{path}: corrupt JPEG header ({TurboJpeg.LastError(handle)}).");
            CheckSize(w, h, path);
            return (w, h);
        }
    }, path);

    private static unsafe DecodedImage DecodeJpeg(byte[] bytes, string path) => WithJpeg(handle =>
    {
        fixed (byte* p = bytes)
        {
            if (TurboJpeg.tjDecompressHeader3(handle, p, (nuint)bytes.Length, out var w, out var h, out _, out var colorspace) != 0)
                throw new DatasetException($"{path}: corrupt JPEG header ({TurboJpeg.LastError(handle)}).");
            CheckSize(w, h, path);
            // TurboJPEG cannot convert CMYK to RGB itself (a few ImageNet photos are CMYK).
            var cmyk = colorspace is TurboJpeg.ColorspaceCmyk or TurboJpeg.ColorspaceYcck;
            var channels = cmyk ? 4 : 3;
            var pixels = new byte[(long)w * h * channels];
            fixed (byte* o = pixels)
                // A warning (e.g. premature end of data) still counts: the pixels would be partly grey.
                if (TurboJpeg.tjDecompress2(handle, p, (nuint)bytes.Length, o, w, w * channels, h,
                        cmyk ? TurboJpeg.PixelFormatCmyk : TurboJpeg.PixelFormatRgb, TurboJpeg.FlagAccurateDct) != 0)
                    throw new DatasetException($"{path}: corrupt JPEG data ({TurboJpeg.LastError(handle)}).");
            return new DecodedImage(w, h, cmyk ? CmykToRgb(pixels) : pixels);
        }
    }, path);

    /// <summary>
    /// JPEG CMYK is stored inverted (Adobe convention, what libjpeg hands back), so with stored values
    /// c, k the red level is c*k/255; the same for green and blue. Pillow and OpenCV convert alike.
    /// </summary>
    private static byte[] CmykToRgb(byte[] cmyk)
    {
        var n = cmyk.Length / 4;
        var rgb = new byte[n * 3];
        for (var i = 0; i < n; i++)
        {
            var k = cmyk[4 * i + 3];
            for (var c = 0; c < 3; c++) rgb[3 * i + c] = (byte)((cmyk[4 * i + c] * k + 127) / 255);
        }
        return rgb;
    }

    private static T WithJpeg<T>(Func<IntPtr, T> body, string path)
    {
        IntPtr handle;
        try { handle = TurboJpeg.tjInitDecompress(); }
        catch (DllNotFoundException e)
        {
            throw new DatasetException($"Decoding {path} needs libturbojpeg.so.0: install it with 'sudo apt-get install libturbojpeg0'.", e);
        }
        if (handle == IntPtr.Zero) throw new DatasetException($"{path}: the TurboJPEG decoder could not be created.");
        try { return body(handle); }
        finally { TurboJpeg.tjDestroy(handle); }
    }

    private static unsafe (int W, int H) PngHeader(byte[] bytes, string path) => WithPng(bytes, path, ctx =>
    {
        Check(Spng.spng_get_ihdr(ctx, out var ihdr), path, "header");
        CheckSize(ihdr.Width, ihdr.Height, path);
        return ((int)ihdr.Width, (int)ihdr.Height);
    });

    private static unsafe DecodedImage DecodePng(byte[] bytes, string path) => WithPng(bytes, path, ctx =>
    {
        Check(Spng.spng_get_ihdr(ctx, out var ihdr), path, "header");
        CheckSize(ihdr.Width, ihdr.Height, path);
        Check(Spng.spng_decoded_image_size(ctx, Spng.FormatRgb8, out var len), path, "header");
        var expected = (ulong)ihdr.Width * ihdr.Height * 3;
        if (len != expected) throw new DatasetException($"{path}: decoder reports {len} bytes for {ihdr.Width}x{ihdr.Height} RGB, expected {expected}.");
        var rgb = new byte[len];
        fixed (byte* o = rgb)
            Check(Spng.spng_decode_image(ctx, o, len, Spng.FormatRgb8, Spng.DecodeTrns), path, "data");
        return new DecodedImage((int)ihdr.Width, (int)ihdr.Height, rgb);
    });

    private static unsafe T WithPng<T>(byte[] bytes, string path, Func<IntPtr, T> body)
    {
        IntPtr ctx;
        try { ctx = Spng.spng_ctx_new(0); }
        catch (DllNotFoundException e)
        {
            throw new DatasetException($"Decoding {path} needs libspng.so.0: install it with 'sudo apt-get install libspng0'.", e);
        }
        if (ctx == IntPtr.Zero) throw new DatasetException($"{path}: the PNG decoder could not be created.");
        try
        {
            fixed (byte* p = bytes)
            {
                // The buffer must stay pinned for the context's whole life, hence the body runs inside.
                Check(Spng.spng_set_png_buffer(ctx, p, (nuint)bytes.Length), path, "buffer");
                return body(ctx);
            }
        }
        finally { Spng.spng_ctx_free(ctx); }
    }

    private static void Check(int code, string path, string part)
    {
        if (code != 0) throw new DatasetException($"{path}: corrupt PNG {part} ({Spng.Error(code)}).");
    }
}
