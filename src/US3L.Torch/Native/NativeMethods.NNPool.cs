using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>Codes of src/native/nn_pool.cpp's InterpolateMode; keep the order identical.</summary>
internal enum InterpolateMode { Nearest, Bilinear, Bicubic, NearestExact }

/// <summary>P/Invoke declarations of src/native/nn_pool.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_max_pool2d(TensorHandle x, long kh, long kw, long sh, long sw,
        long ph, long pw, long dh, long dw, int ceilMode);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_avg_pool2d(TensorHandle x, long kh, long kw, long sh, long sw,
        long ph, long pw, int ceilMode, int countIncludePad, long divisorOverride);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_adaptive_avg_pool2d(TensorHandle x, long oh, long ow);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_adaptive_max_pool2d(TensorHandle x, long oh, long ow);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_interpolate(TensorHandle x, InterpolateMode mode, int hasSize, long oh, long ow,
        double scaleH, double scaleW, int alignCorners);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_grid_sample(TensorHandle x, TensorHandle grid, long mode, long paddingMode, int alignCorners);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_affine_grid(TensorHandle theta, long* size, int ndim, int alignCorners);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static unsafe partial TensorHandle us3l_pad(TensorHandle x, long* pads, int n,
        string mode, double value);
}
