using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/shape.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_reshape(TensorHandle x, long* shape, int ndim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_view(TensorHandle x, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_narrow(TensorHandle x, long dim, long start, long length);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_cat(IntPtr* xs, int n, long dim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_stack(IntPtr* xs, int n, long dim);

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
