using System.Runtime.InteropServices;

namespace US3L.Data.Native;

/// <summary>
/// The parts of the TurboJPEG C API (libjpeg-turbo 2.x, Debian <c>libturbojpeg0</c>) used to decode
/// JPEG files. A tjhandle is not thread-safe, so every decode creates and destroys its own.
/// </summary>
internal static partial class TurboJpeg
{
    private const string Lib = "libturbojpeg.so.0";

    public const int PixelFormatRgb = 0;   // TJPF_RGB
    public const int PixelFormatCmyk = 11; // TJPF_CMYK
    public const int ColorspaceCmyk = 3;   // TJCS_CMYK
    public const int ColorspaceYcck = 4;   // TJCS_YCCK
    public const int ErrorWarning = 0;     // TJERR_WARNING
    public const int FlagAccurateDct = 4096;

    [LibraryImport(Lib)] public static partial IntPtr tjInitDecompress();
    [LibraryImport(Lib)] public static partial int tjDestroy(IntPtr handle);
    [LibraryImport(Lib)] public static partial IntPtr tjGetErrorStr2(IntPtr handle);
    [LibraryImport(Lib)] public static partial int tjGetErrorCode(IntPtr handle);

    // unsigned long is 64-bit on Linux x64, hence nuint.
    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompressHeader3(IntPtr handle, byte* jpegBuf, nuint jpegSize,
        out int width, out int height, out int subsamp, out int colorspace);

    [LibraryImport(Lib)]
    public static unsafe partial int tjDecompress2(IntPtr handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf,
        int width, int pitch, int height, int pixelFormat, int flags);

    public static string LastError(IntPtr handle) => Marshal.PtrToStringUTF8(tjGetErrorStr2(handle)) ?? "unknown error";
}
