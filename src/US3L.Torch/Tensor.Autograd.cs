using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Autograd: gradient flags, backward, the accumulated gradient, detaching.</summary>
public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => NativeMethods.us3l_tensor_requires_grad(Handle) != 0;
        set => NativeMethods.Check(NativeMethods.us3l_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf => NativeMethods.us3l_tensor_is_leaf(Handle) != 0;

    /// <summary>
    /// The accumulated gradient, or null. Each read returns a new handle to the same storage,
    /// owned by the current dispose scope. Setting null clears it.
    /// </summary>
    public Tensor? grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.us3l_grad(Handle, out var raw));
            return raw == IntPtr.Zero ? null : new Tensor(new TensorHandle(raw));
        }
        set => NativeMethods.Check(NativeMethods.us3l_set_grad(Handle, value.HandleOrNull()));
    }

    /// <summary>Clears the gradient (set to none by default, as PyTorch 2 does).</summary>
    public void zero_grad(bool set_to_none = true) => NativeMethods.Check(NativeMethods.us3l_zero_grad(Handle, set_to_none ? 1 : 0));

    /// <summary>
    /// Back-propagates from this tensor. A non-scalar tensor needs <paramref name="gradient"/>.
    /// retain_graph defaults to create_graph, as in PyTorch.
    /// </summary>
    public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false)
    {
        if (gradient is null && numel() != 1)
            throw new InvalidOperationException(
                $"backward() without a gradient needs a one-element tensor, got shape {ShapeString(shape)}; pass gradient: or reduce first.");
        var retain = retain_graph is null ? -1 : retain_graph.Value ? 1 : 0;
        NativeMethods.Check(NativeMethods.us3l_backward(Handle, gradient.HandleOrNull(), retain, create_graph ? 1 : 0));
    }

    /// <summary>A new tensor sharing storage, cut from the graph.</summary>
    public Tensor detach() => NativeMethods.Wrap(NativeMethods.us3l_detach(Handle));

    public Tensor detach_()
    {
        NativeMethods.Check(NativeMethods.us3l_detach_(Handle));
        return this;
    }
}

public static partial class torch
{
    /// <summary>Functional autograd, as <c>torch.autograd.grad</c>.</summary>
    public static class autograd
    {
        /// <summary>Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> (null where unused).</summary>
        public static unsafe Tensor?[] grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs is not null && grad_outputs.Length != outputs.Length)
                throw new ArgumentException($"grad_outputs has {grad_outputs.Length} entries for {outputs.Length} outputs.");
            var refs = new List<bool>();
            var all = outputs.Concat(inputs).Concat(grad_outputs?.Where(g => g is not null).Cast<Tensor>() ?? Enumerable.Empty<Tensor>()).ToArray();
            foreach (var t in all)
            {
                var added = false;
                t.Handle.DangerousAddRef(ref added);
                refs.Add(added);
            }
            try
            {
                var outs = outputs.Select(t => t.Handle.DangerousGetHandle()).ToArray();
                var ins = inputs.Select(t => t.Handle.DangerousGetHandle()).ToArray();
                var gos = grad_outputs?.Select(t => t?.Handle.DangerousGetHandle() ?? IntPtr.Zero).ToArray();
                var results = new IntPtr[inputs.Length];
                var retain = retain_graph is null ? -1 : retain_graph.Value ? 1 : 0;
                fixed (IntPtr* po = outs)
                fixed (IntPtr* pi = ins)
                fixed (IntPtr* pg = gos)
                fixed (IntPtr* pr = results)
                    NativeMethods.Check(NativeMethods.us3l_autograd_grad(po, gos is null ? null : pg, outs.Length, pi, ins.Length,
                        retain, create_graph ? 1 : 0, allow_unused ? 1 : 0, pr));
                return results.Select(r => r == IntPtr.Zero ? null : new Tensor(new TensorHandle(r))).ToArray();
            }
            finally
            {
                for (var i = 0; i < all.Length; i++)
                    if (refs[i]) all[i].Handle.DangerousRelease();
            }
        }
    }
}
