using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/shape.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_reshape(TensorHandle x, long* shape, int ndim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_view(TensorHandle x, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_narrow(TensorHandle x, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_flatten(TensorHandle x, long startDim, long endDim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_unflatten(TensorHandle x, long dim, long* sizes, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_squeeze(TensorHandle x, int hasDim, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_unsqueeze(TensorHandle x, long dim);

    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_permute(TensorHandle x, long* dims, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_transpose(TensorHandle x, long dim0, long dim1);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_t(TensorHandle x);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_expand(TensorHandle x, long* sizes, int n);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_broadcast_to(TensorHandle x, long* sizes, int n);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_flip(TensorHandle x, long* dims, int n);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_roll(TensorHandle x, long* shifts, int nshifts, long* dims, int ndims);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_repeat(TensorHandle x, long* repeats, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_repeat_interleave(TensorHandle x, long repeats, int hasDim, long dim);

    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_cat(IntPtr* xs, int n, long dim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_stack(IntPtr* xs, int n, long dim);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_split(TensorHandle x, long splitSize, long dim, IntPtr* output, int capacity);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_split_with_sizes(TensorHandle x, long* sizes, int n, long dim, IntPtr* output, int capacity);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_chunk(TensorHandle x, long chunks, long dim, IntPtr* output, int capacity);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_unbind(TensorHandle x, long dim, IntPtr* output, int capacity);

    /// <summary>
    /// Calls a native function that takes an array of tensor handles, keeping every handle alive
    /// (and refusing disposed ones) for the duration of the call.
    /// </summary>
    internal static unsafe T WithHandles<T>(IReadOnlyList<Tensor> tensors, Func<IntPtr, int, T> call)
    {
        var added = new bool[tensors.Count];
        var raw = new IntPtr[tensors.Count];
        try
        {
            for (var i = 0; i < tensors.Count; i++)
            {
                tensors[i].Handle.DangerousAddRef(ref added[i]);
                raw[i] = tensors[i].Handle.DangerousGetHandle();
            }
            fixed (IntPtr* p = raw) return call((IntPtr)p, raw.Length);
        }
        finally
        {
            for (var i = 0; i < tensors.Count; i++)
                if (added[i]) tensors[i].Handle.DangerousRelease();
        }
    }
}
