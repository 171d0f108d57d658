using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/reductions.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_sum(TensorHandle x, long* dims, int ndims, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_mean(TensorHandle x, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_var(TensorHandle x, long* dims, int ndims, long correction, int keepdim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_std(TensorHandle x, long* dims, int ndims, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_prod(TensorHandle x, int hasDim, long dim, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_logsumexp(TensorHandle x, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_cumsum(TensorHandle x, long dim, int dtype);

    [LibraryImport(Lib)] internal static partial TensorHandle us3l_max_all(TensorHandle x);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_min_all(TensorHandle x);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_max_dim(TensorHandle x, long dim, int keepdim, IntPtr* output);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_min_dim(TensorHandle x, long dim, int keepdim, IntPtr* output);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_amax(TensorHandle x, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_amin(TensorHandle x, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_argmax(TensorHandle x, int hasDim, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_argmin(TensorHandle x, int hasDim, long dim, int keepdim);

    [LibraryImport(Lib)] internal static unsafe partial int us3l_topk(TensorHandle x, long k, long dim, int largest, int sorted, IntPtr* output);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_sort(TensorHandle x, long dim, int descending, int stable, IntPtr* output);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_argsort(TensorHandle x, long dim, int descending, int stable);

    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_vector_norm(TensorHandle x, double p, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_all(TensorHandle x, int hasDim, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_any(TensorHandle x, int hasDim, long dim, int keepdim);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_count_nonzero(TensorHandle x, long* dims, int ndims);

    /// <summary>
    /// Calls a native op that writes several new handles into a caller array of
    /// <paramref name="capacity"/> slots and returns how many it wrote (-1 on error),
    /// and wraps them as tensors of the current scope.
    /// </summary>
    internal static unsafe Tensor[] WrapMany(int capacity, Func<IntPtr, int> call)
    {
        var raw = new IntPtr[capacity];
        int count;
        fixed (IntPtr* p = raw) count = call((IntPtr)p);
        if (count < 0) throw new TorchException(LastError());
        var result = new Tensor[count];
        for (var i = 0; i < count; i++) result[i] = new Tensor(new TensorHandle(raw[i]));
        return result;
    }

    /// <summary><see cref="WrapMany"/> for ops with exactly two results (values, indices).</summary>
    internal static (Tensor, Tensor) WrapPair(Func<IntPtr, int> call)
    {
        var r = WrapMany(2, call);
        return (r[0], r[1]);
    }
}
