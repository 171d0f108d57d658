using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/linalg.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_mm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_outer(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_dot(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial TensorHandle us3l_einsum(string equation, IntPtr* xs, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_linalg_svdvals(TensorHandle a);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_linalg_svd(TensorHandle a, int fullMatrices, IntPtr* output);
}
