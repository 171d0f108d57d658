using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Matrix and vector products.</summary>
public sealed partial class Tensor
{
    /// <summary>The matrix product with PyTorch's rules: 1-D operands are vectors, leading dims broadcast as batches.</summary>
    public Tensor matmul(Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_matmul(Handle, other.Handle));

    /// <summary>[n, k] x [k, m] -> [n, m], no broadcasting.</summary>
    public Tensor mm(Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_mm(Handle, other.Handle));

    /// <summary>[b, n, k] x [b, k, m] -> [b, n, m], no broadcasting.</summary>
    public Tensor bmm(Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_bmm(Handle, other.Handle));

    /// <summary>[n] x [m] -> [n, m].</summary>
    public Tensor outer(Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_outer(Handle, other.Handle));

    /// <summary>The inner product of two 1-D tensors of equal length, as a 0-dim tensor.</summary>
    public Tensor dot(Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_dot(Handle, other.Handle));
}
