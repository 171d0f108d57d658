using System.Runtime.InteropServices;

namespace US3L.Data.Native;

/// <summary>The parts of the libspng 0.7 C API (Debian <c>libspng0</c>) used to decode PNG files.</summary>
internal static partial class Spng
{
    private const string Lib = "libspng.so.0";

    public const int FormatRgb8 = 4;      // SPNG_FMT_RGB8: any colour type and depth -> 8-bit RGB
    public const int DecodeTrns = 1;      // SPNG_DECODE_TRNS

    [StructLayout(LayoutKind.Sequential)]
    public struct Ihdr
    {
        public uint Width;
        public uint Height;
        public byte BitDepth;
        public byte ColorType;
        public byte CompressionMethod;
        public byte FilterMethod;
        public byte InterlaceMethod;
    }

    [LibraryImport(Lib)] public static partial IntPtr spng_ctx_new(int flags);
    [LibraryImport(Lib)] public static partial void spng_ctx_free(IntPtr ctx);
    [LibraryImport(Lib)] public static unsafe partial int spng_set_png_buffer(IntPtr ctx, byte* buf, nuint size);
    [LibraryImport(Lib)] public static partial int spng_set_image_limits(IntPtr ctx, uint width, uint height);
    [LibraryImport(Lib)] public static partial int spng_get_ihdr(IntPtr ctx, out Ihdr ihdr);
    [LibraryImport(Lib)] public static partial int spng_decoded_image_size(IntPtr ctx, int fmt, out nuint len);
    [LibraryImport(Lib)] public static unsafe partial int spng_decode_image(IntPtr ctx, byte* output, nuint len, int fmt, int flags);
    [LibraryImport(Lib)] public static partial IntPtr spng_strerror(int err);

    public static string Error(int code) => Marshal.PtrToStringUTF8(spng_strerror(code)) ?? $"error {code}";
}
