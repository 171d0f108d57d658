using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// Picking elements: by position (select, slice, the indexer), by index tensors (index_select,
/// gather, scatter), by boolean masks; triangles and diagonals. Index tensors are int64.
/// </summary>
public sealed partial class Tensor
{
    /// <summary><c>t[i]</c>: the i-th entry along dim 0 (negative counts from the end), as a view.</summary>
    public Tensor this[long index] => select(0, index);

    /// <summary>The entry <paramref name="index"/> of <paramref name="dim"/>, dropping that dim (a view).</summary>
    public Tensor select(long dim, long index) => NativeMethods.Wrap(NativeMethods.us3l_select(Handle, dim, index));

    /// <summary>
    /// Python's <c>x[..., start:end:step]</c> on one dim, as a view; start and end are clamped
    /// to the dim (negative values count from the end); step must be positive.
    /// </summary>
    public Tensor slice(long dim, long start = 0, long end = long.MaxValue, long step = 1) =>
        NativeMethods.Wrap(NativeMethods.us3l_slice(Handle, dim, start, end, step));

    /// <summary>The entries of <paramref name="dim"/> listed by the 1-D <paramref name="index"/> (a copy).</summary>
    public Tensor index_select(long dim, Tensor index) => NativeMethods.Wrap(NativeMethods.us3l_index_select(Handle, dim, index.Handle));

    /// <summary>out[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims); out has index's shape.</summary>
    public Tensor gather(long dim, Tensor index) => NativeMethods.Wrap(NativeMethods.us3l_gather(Handle, dim, index.Handle));

    /// <summary>A copy with x[index[i][j]][j] = src[i][j] for dim 0 (and likewise for other dims).</summary>
    public Tensor scatter(long dim, Tensor index, Tensor src) =>
        NativeMethods.Wrap(NativeMethods.us3l_scatter(Handle, dim, index.Handle, src.Handle));

    /// <summary>A copy with x[index[i][j]][j] += src[i][j] for dim 0; repeated indices accumulate.</summary>
    public Tensor scatter_add(long dim, Tensor index, Tensor src) =>
        NativeMethods.Wrap(NativeMethods.us3l_scatter_add(Handle, dim, index.Handle, src.Handle));

    // ---- masks ---------------------------------------------------------------------------------

    /// <summary>A copy with <paramref name="value"/> where the bool <paramref name="mask"/> (broadcast) is true.</summary>
    public Tensor masked_fill(Tensor mask, double value) =>
        NativeMethods.Wrap(NativeMethods.us3l_masked_fill_scalar(Handle, mask.Handle, value));

    /// <summary>As masked_fill with a 0-dim tensor value; gradients flow into the value too.</summary>
    public Tensor masked_fill(Tensor mask, Tensor value) =>
        NativeMethods.Wrap(NativeMethods.us3l_masked_fill_tensor(Handle, mask.Handle, value.Handle));

    /// <summary>The elements where the bool <paramref name="mask"/> (broadcast) is true, as a 1-D tensor.</summary>
    public Tensor masked_select(Tensor mask) => NativeMethods.Wrap(NativeMethods.us3l_masked_select(Handle, mask.Handle));

    /// <summary>The coordinates of the non-zero elements: int64 of shape [count, ndim].</summary>
    public Tensor nonzero() => NativeMethods.Wrap(NativeMethods.us3l_nonzero(Handle));

    // ---- triangles and diagonals ---------------------------------------------------------------

    /// <summary>The lower triangle (on and below <paramref name="diagonal"/>) of the last two dims; the rest zero.</summary>
    public Tensor tril(long diagonal = 0) => NativeMethods.Wrap(NativeMethods.us3l_tril(Handle, diagonal));

    /// <summary>The upper triangle (on and above <paramref name="diagonal"/>) of the last two dims; the rest zero.</summary>
    public Tensor triu(long diagonal = 0) => NativeMethods.Wrap(NativeMethods.us3l_triu(Handle, diagonal));

    /// <summary>A 1-D tensor becomes a diagonal matrix; a matrix gives its diagonal as a 1-D tensor.</summary>
    public Tensor diag(long diagonal = 0) => NativeMethods.Wrap(NativeMethods.us3l_diag(Handle, diagonal));

    /// <summary>The diagonal over dims dim1 and dim2 as a view; it becomes the last dim.</summary>
    public Tensor diagonal(long offset = 0, long dim1 = 0, long dim2 = 1) =>
        NativeMethods.Wrap(NativeMethods.us3l_diagonal(Handle, offset, dim1, dim2));
}
