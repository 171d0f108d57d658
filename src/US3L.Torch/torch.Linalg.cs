using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Products, einsum and <c>torch.linalg</c>.</summary>
public static partial class torch
{
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor mm(Tensor a, Tensor b) => a.mm(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor outer(Tensor a, Tensor b) => a.outer(b);
    public static Tensor dot(Tensor a, Tensor b) => a.dot(b);

    /// <summary>Einstein summation, e.g. <c>einsum("bij,bjk->bik", a, b)</c>.</summary>
    public static unsafe Tensor einsum(string equation, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        if (operands.Length == 0) throw new ArgumentException($"einsum(\"{equation}\"): need at least one operand.", nameof(operands));
        return NativeMethods.WithHandles(operands, (p, n) => NativeMethods.Wrap(NativeMethods.us3l_einsum(equation, (IntPtr*)p, n)));
    }

    /// <summary>Linear algebra functions, as <c>torch.linalg</c>; batched over leading dims.</summary>
    public static class linalg
    {
        /// <summary>The singular values of A [..., m, n], in descending order; differentiable.</summary>
        public static Tensor svdvals(Tensor A) => NativeMethods.Wrap(NativeMethods.us3l_linalg_svdvals(A.Handle));

        /// <summary>
        /// A = U diag(S) Vh. With full_matrices, U is [..., m, m] and Vh [..., n, n]; without, they
        /// are reduced to k = min(m, n) columns/rows. The signs of singular vectors are not unique.
        /// </summary>
        public static unsafe (Tensor U, Tensor S, Tensor Vh) svd(Tensor A, bool full_matrices = true)
        {
            var r = NativeMethods.WrapMany(3, p => NativeMethods.us3l_linalg_svd(A.Handle, full_matrices ? 1 : 0, (IntPtr*)p));
            return (r[0], r[1], r[2]);
        }

        /// <summary>The vector ord-norm over dims (every element by default), as torch.linalg.vector_norm.</summary>
        public static Tensor vector_norm(Tensor x, double ord = 2, long[]? dim = null, bool keepdim = false) => x.norm(ord, dim, keepdim);
    }
}
