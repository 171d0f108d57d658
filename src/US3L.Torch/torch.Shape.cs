using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Joining tensors.</summary>
public static partial class torch
{
    public static unsafe Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat: need at least one tensor.");
        return NativeMethods.WithHandles(tensors, (p, n) => NativeMethods.Wrap(NativeMethods.us3l_cat((IntPtr*)p, n, dim)));
    }

    public static unsafe Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack: need at least one tensor.");
        return NativeMethods.WithHandles(tensors, (p, n) => NativeMethods.Wrap(NativeMethods.us3l_stack((IntPtr*)p, n, dim)));
    }
}
