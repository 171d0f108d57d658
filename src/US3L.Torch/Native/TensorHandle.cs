using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>
/// Owns one native reference to an at::Tensor. A SafeHandle keeps the tensor alive for the whole
/// duration of every native call it is passed to, and releases it at most once, so a tensor
/// disposed on one path and finalized on another never frees twice.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr raw) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(raw);

    /// <summary>
    /// Stands for "no tensor" in optional arguments: the marshaller rejects a null SafeHandle,
    /// so optional tensors pass this zero handle instead. Never disposed.
    /// </summary>
    internal static readonly TensorHandle Null = new();

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.us3l_tensor_free(handle);
        return true;
    }
}

internal static class TensorHandleExtensions
{
    /// <summary>The tensor's handle, or <see cref="TensorHandle.Null"/> for an omitted optional tensor.</summary>
    internal static TensorHandle HandleOrNull(this Tensor? t) => t?.Handle ?? TensorHandle.Null;
}
