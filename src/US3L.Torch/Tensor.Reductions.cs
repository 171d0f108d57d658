using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// Reductions over all elements or over chosen dims (negative dims count from the end).
/// A null or empty dim array reduces every element, as dim=None in PyTorch.
/// </summary>
public sealed partial class Tensor
{
    public unsafe Tensor sum(long[]? dim = null, bool keepdim = false, ScalarType? dtype = null)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_sum(Handle, p, d.Length, keepdim ? 1 : 0, DtypeCode(dtype)));
    }

    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);

    public unsafe Tensor mean(long[]? dim = null, bool keepdim = false)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_mean(Handle, p, d.Length, keepdim ? 1 : 0));
    }

    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);

    /// <summary>
    /// Variance with Bessel's correction unless <paramref name="unbiased"/> is false;
    /// <paramref name="correction"/>, when given, replaces it (divisor N - correction).
    /// </summary>
    public unsafe Tensor var(long[]? dim = null, bool unbiased = true, bool keepdim = false, long? correction = null)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d)
            return NativeMethods.Wrap(NativeMethods.us3l_var(Handle, p, d.Length, correction ?? (unbiased ? 1 : 0), keepdim ? 1 : 0));
    }

    public Tensor var(long dim, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        var(new[] { dim }, unbiased, keepdim, correction);

    /// <summary>Standard deviation; <paramref name="unbiased"/> and <paramref name="correction"/> as in <see cref="var(long[], bool, bool, long?)"/>.</summary>
    public unsafe Tensor std(long[]? dim = null, bool unbiased = true, bool keepdim = false, long? correction = null)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d)
            return NativeMethods.Wrap(NativeMethods.us3l_std(Handle, p, d.Length, correction ?? (unbiased ? 1 : 0), keepdim ? 1 : 0));
    }

    public Tensor std(long dim, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        std(new[] { dim }, unbiased, keepdim, correction);

    /// <summary>The product of every element.</summary>
    public Tensor prod(ScalarType? dtype = null) => NativeMethods.Wrap(NativeMethods.us3l_prod(Handle, 0, 0, 0, DtypeCode(dtype)));

    /// <summary>The product along one dim (PyTorch reduces one dim at a time here).</summary>
    public Tensor prod(long dim, bool keepdim = false, ScalarType? dtype = null) =>
        NativeMethods.Wrap(NativeMethods.us3l_prod(Handle, 1, dim, keepdim ? 1 : 0, DtypeCode(dtype)));

    /// <summary>log(sum(exp(x))) over dims, computed without overflow.</summary>
    public unsafe Tensor logsumexp(long[] dim, bool keepdim = false)
    {
        if (dim.Length == 0) throw new ArgumentException("logsumexp: expected at least one dim.", nameof(dim));
        fixed (long* p = dim) return NativeMethods.Wrap(NativeMethods.us3l_logsumexp(Handle, p, dim.Length, keepdim ? 1 : 0));
    }

    public Tensor logsumexp(long dim, bool keepdim = false) => logsumexp(new[] { dim }, keepdim);

    /// <summary>Running sums along <paramref name="dim"/>.</summary>
    public Tensor cumsum(long dim, ScalarType? dtype = null) => NativeMethods.Wrap(NativeMethods.us3l_cumsum(Handle, dim, DtypeCode(dtype)));

    // ---- extremes ------------------------------------------------------------------------------

    /// <summary>The largest element.</summary>
    public Tensor max() => NativeMethods.Wrap(NativeMethods.us3l_max_all(Handle));

    /// <summary>The smallest element.</summary>
    public Tensor min() => NativeMethods.Wrap(NativeMethods.us3l_min_all(Handle));

    /// <summary>The largest values along <paramref name="dim"/> and their positions (int64).</summary>
    public unsafe (Tensor values, Tensor indices) max(long dim, bool keepdim = false) =>
        NativeMethods.WrapPair(p => NativeMethods.us3l_max_dim(Handle, dim, keepdim ? 1 : 0, (IntPtr*)p));

    /// <summary>The smallest values along <paramref name="dim"/> and their positions (int64).</summary>
    public unsafe (Tensor values, Tensor indices) min(long dim, bool keepdim = false) =>
        NativeMethods.WrapPair(p => NativeMethods.us3l_min_dim(Handle, dim, keepdim ? 1 : 0, (IntPtr*)p));

    /// <summary>The largest values over dims, without indices (gradient split evenly between ties).</summary>
    public unsafe Tensor amax(long[]? dim = null, bool keepdim = false)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_amax(Handle, p, d.Length, keepdim ? 1 : 0));
    }

    public Tensor amax(long dim, bool keepdim = false) => amax(new[] { dim }, keepdim);

    public unsafe Tensor amin(long[]? dim = null, bool keepdim = false)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_amin(Handle, p, d.Length, keepdim ? 1 : 0));
    }

    public Tensor amin(long dim, bool keepdim = false) => amin(new[] { dim }, keepdim);

    /// <summary>The position of the largest element in the flattened tensor.</summary>
    public Tensor argmax() => NativeMethods.Wrap(NativeMethods.us3l_argmax(Handle, 0, 0, 0));

    public Tensor argmax(long dim, bool keepdim = false) => NativeMethods.Wrap(NativeMethods.us3l_argmax(Handle, 1, dim, keepdim ? 1 : 0));

    /// <summary>The position of the smallest element in the flattened tensor.</summary>
    public Tensor argmin() => NativeMethods.Wrap(NativeMethods.us3l_argmin(Handle, 0, 0, 0));

    public Tensor argmin(long dim, bool keepdim = false) => NativeMethods.Wrap(NativeMethods.us3l_argmin(Handle, 1, dim, keepdim ? 1 : 0));

    // ---- sorting -------------------------------------------------------------------------------

    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/> and their positions.</summary>
    public unsafe (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        NativeMethods.WrapPair(p => NativeMethods.us3l_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, (IntPtr*)p));

    /// <summary>
    /// Sorted values along <paramref name="dim"/> and the positions they came from. A stable sort
    /// keeps equal elements in their original order.
    /// </summary>
    public unsafe (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false, bool stable = false) =>
        NativeMethods.WrapPair(p => NativeMethods.us3l_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, (IntPtr*)p));

    /// <summary>The indices that sort the tensor along <paramref name="dim"/>.</summary>
    public Tensor argsort(long dim = -1, bool descending = false, bool stable = false) =>
        NativeMethods.Wrap(NativeMethods.us3l_argsort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0));

    // ---- norms and logical tests ---------------------------------------------------------------

    /// <summary>
    /// The vector p-norm over dims (every element by default): p = 2 (Euclidean; Frobenius over a
    /// matrix), 1, <see cref="double.PositiveInfinity"/> (largest magnitude) or any other p.
    /// </summary>
    public unsafe Tensor norm(double p = 2, long[]? dim = null, bool keepdim = false)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* pd = d) return NativeMethods.Wrap(NativeMethods.us3l_vector_norm(Handle, p, pd, d.Length, keepdim ? 1 : 0));
    }

    public Tensor norm(double p, long dim, bool keepdim = false) => norm(p, new[] { dim }, keepdim);

    /// <summary>True when every element is non-zero (a bool tensor).</summary>
    public Tensor all() => NativeMethods.Wrap(NativeMethods.us3l_all(Handle, 0, 0, 0));

    public Tensor all(long dim, bool keepdim = false) => NativeMethods.Wrap(NativeMethods.us3l_all(Handle, 1, dim, keepdim ? 1 : 0));

    /// <summary>True when some element is non-zero (a bool tensor).</summary>
    public Tensor any() => NativeMethods.Wrap(NativeMethods.us3l_any(Handle, 0, 0, 0));

    public Tensor any(long dim, bool keepdim = false) => NativeMethods.Wrap(NativeMethods.us3l_any(Handle, 1, dim, keepdim ? 1 : 0));

    /// <summary>How many elements are non-zero, over dims (every element by default), as int64.</summary>
    public unsafe Tensor count_nonzero(long[]? dim = null)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_count_nonzero(Handle, p, d.Length));
    }

    public Tensor count_nonzero(long dim) => count_nonzero(new[] { dim });

    private static int DtypeCode(ScalarType? dtype) => dtype is null ? -1 : (int)dtype;
}
