using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/reductions.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_sum(TensorHandle x, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_mean(TensorHandle x, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_max_all(TensorHandle x);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_min_all(TensorHandle x);
}
