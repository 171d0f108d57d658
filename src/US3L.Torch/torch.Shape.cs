using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Joining, splitting and rearranging tensors.</summary>
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

    public static Tensor[] split(Tensor x, long split_size, long dim = 0) => x.split(split_size, dim);
    public static Tensor[] split(Tensor x, long[] split_sizes, long dim = 0) => x.split(split_sizes, dim);
    public static Tensor[] chunk(Tensor x, long chunks, long dim = 0) => x.chunk(chunks, dim);
    public static Tensor[] unbind(Tensor x, long dim = 0) => x.unbind(dim);

    public static Tensor reshape(Tensor x, params long[] shape) => x.reshape(shape);
    public static Tensor flatten(Tensor x, long start_dim = 0, long end_dim = -1) => x.flatten(start_dim, end_dim);
    public static Tensor unflatten(Tensor x, long dim, params long[] sizes) => x.unflatten(dim, sizes);
    public static Tensor squeeze(Tensor x) => x.squeeze();
    public static Tensor squeeze(Tensor x, long dim) => x.squeeze(dim);
    public static Tensor unsqueeze(Tensor x, long dim) => x.unsqueeze(dim);
    public static Tensor permute(Tensor x, params long[] dims) => x.permute(dims);
    public static Tensor transpose(Tensor x, long dim0, long dim1) => x.transpose(dim0, dim1);
    public static Tensor t(Tensor x) => x.t();
    public static Tensor broadcast_to(Tensor x, params long[] sizes) => x.broadcast_to(sizes);
    public static Tensor flip(Tensor x, params long[] dims) => x.flip(dims);
    public static Tensor roll(Tensor x, long shifts) => x.roll(shifts);
    public static Tensor roll(Tensor x, long shifts, long dim) => x.roll(shifts, dim);
    public static Tensor roll(Tensor x, long[] shifts, long[] dims) => x.roll(shifts, dims);
    public static Tensor repeat_interleave(Tensor x, long repeats, long? dim = null) => x.repeat_interleave(repeats, dim);
}
