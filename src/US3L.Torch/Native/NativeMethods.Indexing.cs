using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/indexing.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_select(TensorHandle x, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_slice(TensorHandle x, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_index_select(TensorHandle x, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_gather(TensorHandle x, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_scatter(TensorHandle x, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_scatter_add(TensorHandle x, long dim, TensorHandle index, TensorHandle src);

    [LibraryImport(Lib)] internal static partial TensorHandle us3l_masked_fill_scalar(TensorHandle x, TensorHandle mask, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_masked_fill_tensor(TensorHandle x, TensorHandle mask, TensorHandle value);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_masked_select(TensorHandle x, TensorHandle mask);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_nonzero(TensorHandle x);

    [LibraryImport(Lib)] internal static partial TensorHandle us3l_tril(TensorHandle x, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_triu(TensorHandle x, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_diag(TensorHandle x, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_diagonal(TensorHandle x, long offset, long dim1, long dim2);
}
