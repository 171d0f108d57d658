using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Views, reshapes, dim permutations, broadcasting, splitting (negative dims count from the end).</summary>
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

    /// <summary>Merges dims start_dim..end_dim (inclusive) into one.</summary>
    public Tensor flatten(long start_dim = 0, long end_dim = -1) =>
        NativeMethods.Wrap(NativeMethods.us3l_flatten(Handle, start_dim, end_dim));

    /// <summary>Splits one dim into <paramref name="sizes"/> (one entry may be -1); the inverse of flatten.</summary>
    public unsafe Tensor unflatten(long dim, params long[] sizes)
    {
        fixed (long* p = sizes) return NativeMethods.Wrap(NativeMethods.us3l_unflatten(Handle, dim, p, sizes.Length));
    }

    /// <summary>Drops every dim of size 1.</summary>
    public Tensor squeeze() => NativeMethods.Wrap(NativeMethods.us3l_squeeze(Handle, 0, 0));

    /// <summary>Drops <paramref name="dim"/> if its size is 1, otherwise returns the same shape.</summary>
    public Tensor squeeze(long dim) => NativeMethods.Wrap(NativeMethods.us3l_squeeze(Handle, 1, dim));

    /// <summary>Inserts a dim of size 1 at <paramref name="dim"/>.</summary>
    public Tensor unsqueeze(long dim) => NativeMethods.Wrap(NativeMethods.us3l_unsqueeze(Handle, dim));

    // ---- dim order and broadcasting ------------------------------------------------------------

    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims) return NativeMethods.Wrap(NativeMethods.us3l_permute(Handle, p, dims.Length));
    }

    public Tensor transpose(long dim0, long dim1) => NativeMethods.Wrap(NativeMethods.us3l_transpose(Handle, dim0, dim1));

    /// <summary>The transpose of a matrix (a 0-D or 1-D tensor is returned as is).</summary>
    public Tensor t() => NativeMethods.Wrap(NativeMethods.us3l_t(Handle));

    /// <summary>A batch of matrices with the last two dims swapped.</summary>
    public Tensor mT => dim() >= 2 ? transpose(-2, -1)
        : throw new InvalidOperationException($"mT needs a matrix or a batch of matrices, got shape {ShapeString(shape)}.");

    /// <summary>A broadcast view to <paramref name="sizes"/>; -1 keeps a dim's size.</summary>
    public unsafe Tensor expand(params long[] sizes)
    {
        fixed (long* p = sizes) return NativeMethods.Wrap(NativeMethods.us3l_expand(Handle, p, sizes.Length));
    }

    public Tensor expand_as(Tensor other) => expand(other.shape);

    public unsafe Tensor broadcast_to(params long[] sizes)
    {
        fixed (long* p = sizes) return NativeMethods.Wrap(NativeMethods.us3l_broadcast_to(Handle, p, sizes.Length));
    }

    /// <summary>Reverses the order of elements along <paramref name="dims"/>.</summary>
    public unsafe Tensor flip(params long[] dims)
    {
        fixed (long* p = dims) return NativeMethods.Wrap(NativeMethods.us3l_flip(Handle, p, dims.Length));
    }

    /// <summary>Rolls the flattened tensor by <paramref name="shifts"/> and restores its shape.</summary>
    public Tensor roll(long shifts) => roll(new[] { shifts }, Array.Empty<long>());

    public Tensor roll(long shifts, long dim) => roll(new[] { shifts }, new[] { dim });

    /// <summary>Rolls elements along each of <paramref name="dims"/> by the matching shift; wrapped elements re-enter at the start.</summary>
    public unsafe Tensor roll(long[] shifts, long[] dims)
    {
        fixed (long* ps = shifts)
        fixed (long* pd = dims)
            return NativeMethods.Wrap(NativeMethods.us3l_roll(Handle, ps, shifts.Length, pd, dims.Length));
    }

    /// <summary>Tiles the tensor <paramref name="repeats"/>[i] times along dim i (copies data).</summary>
    public unsafe Tensor repeat(params long[] repeats)
    {
        fixed (long* p = repeats) return NativeMethods.Wrap(NativeMethods.us3l_repeat(Handle, p, repeats.Length));
    }

    /// <summary>Repeats each element <paramref name="repeats"/> times along <paramref name="dim"/> (of the flattened tensor when null).</summary>
    public Tensor repeat_interleave(long repeats, long? dim = null) =>
        NativeMethods.Wrap(NativeMethods.us3l_repeat_interleave(Handle, repeats, dim is null ? 0 : 1, dim ?? 0));

    // ---- splitting -----------------------------------------------------------------------------

    /// <summary>Pieces of <paramref name="split_size"/> along <paramref name="dim"/> (the last may be smaller), as views.</summary>
    public unsafe Tensor[] split(long split_size, long dim = 0)
    {
        if (split_size <= 0) throw new ArgumentException($"split: split_size must be positive, got {split_size}.", nameof(split_size));
        var n = SizeForOp("split", dim);
        var count = (int)Math.Max(1, (n + split_size - 1) / split_size);
        return NativeMethods.WrapMany(count, p => NativeMethods.us3l_split(Handle, split_size, dim, (IntPtr*)p, count));
    }

    /// <summary>Pieces of the given sizes along <paramref name="dim"/>; the sizes must add up to the dim's size.</summary>
    public unsafe Tensor[] split(long[] split_sizes, long dim = 0)
    {
        fixed (long* s = split_sizes)
        {
            var sizes = (IntPtr)s;
            return NativeMethods.WrapMany(split_sizes.Length,
                p => NativeMethods.us3l_split_with_sizes(Handle, (long*)sizes, split_sizes.Length, dim, (IntPtr*)p, split_sizes.Length));
        }
    }

    /// <summary>At most <paramref name="chunks"/> near-equal pieces along <paramref name="dim"/>, as torch.chunk.</summary>
    public unsafe Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"chunk: chunks must be positive, got {chunks}.", nameof(chunks));
        SizeForOp("chunk", dim);
        var capacity = (int)chunks;
        return NativeMethods.WrapMany(capacity, p => NativeMethods.us3l_chunk(Handle, chunks, dim, (IntPtr*)p, capacity));
    }

    /// <summary>The slices along <paramref name="dim"/>, each without that dim.</summary>
    public unsafe Tensor[] unbind(long dim = 0)
    {
        var count = (int)SizeForOp("unbind", dim);
        return NativeMethods.WrapMany(count, p => NativeMethods.us3l_unbind(Handle, dim, (IntPtr*)p, count));
    }

    /// <summary>The size of <paramref name="dim"/>, or an error that names the op, the dim and the shape.</summary>
    internal long SizeForOp(string op, long dim)
    {
        var s = shape;
        var d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), s.Length == 0
                ? $"{op}: a 0-dim tensor has no dim {dim}."
                : $"{op}: dim {dim} is out of range for a tensor of shape {ShapeString(s)} (expected {-s.Length}..{s.Length - 1}).");
        return s[d];
    }
}
