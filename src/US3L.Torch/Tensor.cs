using System.Globalization;
using System.Text;
using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// An n-dimensional array on a device, backed by a libtorch tensor. Names follow PyTorch
/// (<c>shape</c>, <c>view</c>, <c>sum</c>, <c>backward</c>). Dispose it, or create it inside a
/// <see cref="DisposeScope"/>; a forgotten tensor is still freed by the finalizer of its handle.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal readonly TensorHandle Handle;

    internal Tensor(TensorHandle handle)
    {
        Handle = handle;
        DisposeScope.Register(this);
    }

    internal DisposeScope? OwnerScope { get; set; }

    public bool IsDisposed => Handle.IsClosed;

    public void Dispose() => Handle.Dispose();

    /// <summary>Hands this tensor to the scope enclosing its current one.</summary>
    public Tensor MoveToOuterDisposeScope() => OwnerScope is null ? this : OwnerScope.MoveToOuter(this);

    /// <summary>Takes this tensor out of every scope; the caller must dispose it.</summary>
    public Tensor DetachFromDisposeScope() => DisposeScope.Detach(this);

    // ---- metadata --------------------------------------------------------------------------

    public long dim() => NativeMethods.us3l_tensor_dim(Handle);
    public long ndim => dim();
    public long numel() => NativeMethods.us3l_tensor_numel(Handle);
    public ScalarType dtype => (ScalarType)NativeMethods.us3l_tensor_dtype(Handle);
    public long element_size() => NativeMethods.us3l_tensor_element_size(Handle);
    public bool is_contiguous() => NativeMethods.us3l_tensor_is_contiguous(Handle) != 0;
    public bool is_floating_point() => dtype.IsFloatingPoint();

    public Device device
    {
        get
        {
            var type = (DeviceType)NativeMethods.us3l_tensor_device_type(Handle);
            return type == DeviceType.CPU ? Device.CPU : new Device(type, NativeMethods.us3l_tensor_device_index(Handle));
        }
    }

    public bool is_cuda => device.Type == DeviceType.CUDA;

    public unsafe long[] shape
    {
        get
        {
            var result = new long[dim()];
            fixed (long* p = result) NativeMethods.us3l_tensor_sizes(Handle, p);
            return result;
        }
    }

    /// <summary>Size of one dimension; negative dims count from the end.</summary>
    public long size(long dim)
    {
        var s = shape;
        var d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), $"dim {dim} is out of range for a tensor of shape {ShapeString(s)}.");
        return s[d];
    }

    public unsafe long[] stride()
    {
        var result = new long[dim()];
        fixed (long* p = result) NativeMethods.us3l_tensor_strides(Handle, p);
        return result;
    }

    // ---- values ----------------------------------------------------------------------------

    /// <summary>The single value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        if (numel() != 1)
            throw new InvalidOperationException($"item() needs a one-element tensor, got shape {ShapeString(shape)}.");
        NativeMethods.Check(NativeMethods.us3l_tensor_item(Handle, out var d, out var l));
        object value = Type.GetTypeCode(typeof(T)) switch
        {
            TypeCode.Int64 => l,
            TypeCode.Int32 => checked((int)l),
            TypeCode.Int16 => checked((short)l),
            TypeCode.SByte => checked((sbyte)l),
            TypeCode.Byte => checked((byte)l),
            TypeCode.Boolean => d != 0,
            TypeCode.Single => (float)d,
            TypeCode.Double => d,
            _ when typeof(T) == typeof(Half) => (Half)d,
            _ => throw new NotSupportedException($"item<{typeof(T).Name}> is not supported."),
        };
        return (T)value;
    }

    /// <summary>Copies the values (from any device) into a new .NET array, in row-major order.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        RequireDtype<T>("ToArray");
        var result = new T[numel()];
        fixed (T* p = result)
            NativeMethods.Check(NativeMethods.us3l_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Copies the values into <paramref name="destination"/>, which must have numel() elements.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        RequireDtype<T>("CopyTo");
        fixed (T* p = destination)
            NativeMethods.Check(NativeMethods.us3l_tensor_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>
    /// A zero-copy view of the storage of a contiguous CPU tensor. Valid while the tensor lives.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        RequireDtype<T>("AsSpan");
        var p = NativeMethods.us3l_tensor_data_ptr(Handle);
        if (p == IntPtr.Zero) throw new TorchException(NativeMethods.LastError());
        return new Span<T>((void*)p, checked((int)numel()));
    }

    private void RequireDtype<T>(string op) where T : unmanaged
    {
        var expected = ScalarTypes.Of<T>();
        if (dtype != expected)
            throw new InvalidOperationException(
                $"{op}<{typeof(T).Name}> needs a {expected.Name()} tensor, got {dtype.Name()}; convert first with .to({expected.Name()}).");
    }

    // ---- text ------------------------------------------------------------------------------

    internal static string ShapeString(long[] s) => "[" + string.Join(", ", s) + "]";

    /// <summary>Shape, dtype, device, and a summary of the values (at most 6 shown).</summary>
    public override string ToString()
    {
        if (IsDisposed) return "tensor(disposed)";
        var s = shape;
        var sb = new StringBuilder();
        sb.Append("tensor(").Append(ShapeString(s)).Append(", ").Append(dtype.Name()).Append(", ").Append(device);
        if (NativeMethods.us3l_tensor_requires_grad(Handle) != 0) sb.Append(", requires_grad");
        var n = numel();
        if (n > 0 && dtype != ScalarType.BFloat16)
        {
            using var scope = torch.NewDisposeScope();
            var flat = detach().reshape(-1).to(ScalarType.Float64, Device.CPU);
            var count = Math.Min(n, 6);
            var values = flat.narrow(0, 0, count).ToArray<double>();
            sb.Append(", values=[").Append(string.Join(", ", values.Select(FormatValue)));
            if (n > count) sb.Append(", ...");
            sb.Append(']');
            if (n > 1 && dtype != ScalarType.Bool)
            {
                sb.Append(", min=").Append(FormatValue(flat.min().item<double>()))
                  .Append(", max=").Append(FormatValue(flat.max().item<double>()))
                  .Append(", mean=").Append(FormatValue(flat.mean().item<double>()));
            }
        }
        return sb.Append(')').ToString();
    }

    private static string FormatValue(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
