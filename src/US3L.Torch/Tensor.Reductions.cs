using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Reductions over all elements or over chosen dims.</summary>
public sealed partial class Tensor
{
    public unsafe Tensor sum(long[]? dim = null, bool keepdim = false, ScalarType? dtype = null)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_sum(Handle, p, d.Length, keepdim ? 1 : 0, dtype is null ? -1 : (int)dtype));
    }

    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);

    public unsafe Tensor mean(long[]? dim = null, bool keepdim = false)
    {
        var d = dim ?? Array.Empty<long>();
        fixed (long* p = d) return NativeMethods.Wrap(NativeMethods.us3l_mean(Handle, p, d.Length, keepdim ? 1 : 0));
    }

    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);

    /// <summary>The largest element.</summary>
    public Tensor max() => NativeMethods.Wrap(NativeMethods.us3l_max_all(Handle));

    /// <summary>The smallest element.</summary>
    public Tensor min() => NativeMethods.Wrap(NativeMethods.us3l_min_all(Handle));
}
