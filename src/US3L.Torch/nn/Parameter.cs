namespace US3L.Torch.nn;

/// <summary>
/// A parameter is a plain <see cref="Tensor"/> (Tensor is sealed, so there is no subclass): a leaf
/// that requires grad and belongs to no dispose scope, so it outlives every training step. Its
/// owner (a <see cref="Module"/>, or whoever called <see cref="Create"/>) disposes it. Layers keep
/// it in a field and use it directly in ops: <c>x * weight + bias</c>.
/// </summary>
public static class Parameter
{
    /// <summary>
    /// Turns <paramref name="data"/> into a parameter. A leaf is used as it is (same object); a
    /// tensor with history is detached first, so the parameter never carries a graph.
    /// </summary>
    public static Tensor Create(Tensor data, bool requires_grad = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.IsDisposed) throw new ObjectDisposedException(nameof(data), "Cannot make a parameter from a disposed tensor.");
        var leaf = data.is_leaf ? data : data.detach();
        if (requires_grad && !leaf.dtype.IsFloatingPoint())
            throw new ArgumentException($"Only floating-point tensors can require grad; got {leaf.dtype.Name()}. Pass requires_grad: false.");
        leaf.requires_grad_(requires_grad);
        return leaf.DetachFromDisposeScope();
    }

    /// <summary>A buffer: like a parameter it belongs to no scope, but it never requires grad.</summary>
    internal static Tensor CreateBuffer(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.IsDisposed) throw new ObjectDisposedException(nameof(data), "Cannot register a disposed tensor as a buffer.");
        var leaf = data.is_leaf ? data : data.detach();
        if (leaf.requires_grad) leaf.requires_grad_(false);
        return leaf.DetachFromDisposeScope();
    }
}
