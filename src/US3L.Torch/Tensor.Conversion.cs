using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Copies and conversions: to(device/dtype), clone, contiguous, copy_.</summary>
public sealed partial class Tensor
{
    public Tensor to(ScalarType dtype, Device? device = null, bool non_blocking = false, bool copy = false)
    {
        var d = device ?? this.device;
        return NativeMethods.Wrap(NativeMethods.us3l_to(Handle, (int)dtype, (int)d.Type, d.Index, non_blocking ? 1 : 0, copy ? 1 : 0));
    }

    public Tensor to(Device device, bool non_blocking = false) => to(dtype, device, non_blocking);

    public Tensor to(string device) => to(Device.Parse(device));

    /// <summary>A tensor with the same dtype and device as <paramref name="other"/>.</summary>
    public Tensor to(Tensor other) => to(other.dtype, other.device);

    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(Device.CUDA(index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor half() => to(ScalarType.Float16);
    public Tensor bfloat16() => to(ScalarType.BFloat16);

    public Tensor clone() => NativeMethods.Wrap(NativeMethods.us3l_clone(Handle));
    public Tensor contiguous() => NativeMethods.Wrap(NativeMethods.us3l_contiguous(Handle));

    /// <summary>A second handle to this very tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => NativeMethods.Wrap(NativeMethods.us3l_tensor_alias(Handle));

    /// <summary>Copies values from <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
    public Tensor copy_(Tensor source, bool non_blocking = false)
    {
        NativeMethods.Check(NativeMethods.us3l_copy_(Handle, source.Handle, non_blocking ? 1 : 0));
        return this;
    }

    /// <summary>Replaces the data of this tensor (keeps its identity, e.g. a parameter moved to a device).</summary>
    public void set_data(Tensor source) => NativeMethods.Check(NativeMethods.us3l_set_data(Handle, source.Handle));
}
