using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Views, reshapes, slices.</summary>
public sealed partial class Tensor
{
    public unsafe Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return NativeMethods.Wrap(NativeMethods.us3l_reshape(Handle, p, shape.Length));
    }

    public unsafe Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return NativeMethods.Wrap(NativeMethods.us3l_view(Handle, p, shape.Length));
    }

    /// <summary>The slice [start, start + length) of one dim, as a view (no copy).</summary>
    public Tensor narrow(long dim, long start, long length) =>
        NativeMethods.Wrap(NativeMethods.us3l_narrow(Handle, dim, start, length));
}
