using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Tensor factories, named and shaped as in PyTorch.</summary>
public static partial class torch
{
    private static unsafe Tensor FromShape(long[] shape, ScalarType? dtype, Device? device, bool requiresGrad,
        Func<IntPtr, int, int, int, int, int, TensorHandle> factory)
    {
        ValidateShape(shape);
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return NativeMethods.Wrap(factory((IntPtr)p, shape.Length, (int)(dtype ?? defaultDtype), (int)d.Type, d.Index, requiresGrad ? 1 : 0));
    }

    internal static void ValidateShape(long[] shape)
    {
        foreach (var s in shape)
            if (s < 0) throw new ArgumentException($"Sizes must be non-negative, got {Tensor.ShapeString(shape)}.");
    }

    public static unsafe Tensor empty(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_empty((long*)p, n, t, dv, i, rg));
    public static Tensor empty(params long[] shape) => empty(shape, null);

    public static unsafe Tensor zeros(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_zeros((long*)p, n, t, dv, i, rg));
    public static Tensor zeros(params long[] shape) => zeros(shape, null);

    public static unsafe Tensor ones(long[] shape, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_ones((long*)p, n, t, dv, i, rg));
    public static Tensor ones(params long[] shape) => ones(shape, null);

    public static unsafe Tensor full(long[] shape, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_full((long*)p, n, value, t, dv, i, rg));

    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return NativeMethods.Wrap(NativeMethods.us3l_eye(n, m ?? n, (int)(dtype ?? defaultDtype), (int)d.Type, d.Index, 0));
    }

    /// <summary>Values start, start+step, ... below end. Integral arguments give int64, as in PyTorch.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null)
    {
        if (step == 0) throw new ArgumentException("arange: step must be non-zero.");
        var d = device ?? Device.CPU;
        var integral = start == Math.Floor(start) && end == Math.Floor(end) && step == Math.Floor(step);
        var t = dtype ?? (integral ? ScalarType.Int64 : defaultDtype);
        return NativeMethods.Wrap(NativeMethods.us3l_arange(start, end, step, (int)t, (int)d.Type, d.Index, 0));
    }

    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
    {
        if (steps < 0) throw new ArgumentException($"linspace: steps must be non-negative, got {steps}.");
        var d = device ?? Device.CPU;
        return NativeMethods.Wrap(NativeMethods.us3l_linspace(start, end, steps, (int)(dtype ?? defaultDtype), (int)d.Type, d.Index, 0));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static unsafe Tensor rand(long[] shape, ScalarType? dtype = null, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var g = generator?.Raw ?? IntPtr.Zero;
        return FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_rand((long*)p, n, g, t, dv, i, rg));
    }
    public static Tensor rand(params long[] shape) => rand(shape, null);

    /// <summary>Standard normal samples.</summary>
    public static unsafe Tensor randn(long[] shape, ScalarType? dtype = null, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var g = generator?.Raw ?? IntPtr.Zero;
        return FromShape(shape, dtype, device, requires_grad, (p, n, t, dv, i, rg) => NativeMethods.us3l_randn((long*)p, n, g, t, dv, i, rg));
    }
    public static Tensor randn(params long[] shape) => randn(shape, null);

    /// <summary>Integers uniform in [low, high), int64 unless dtype says otherwise.</summary>
    public static unsafe Tensor randint(long low, long high, long[] shape, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"randint: need low < high, got [{low}, {high}).");
        ValidateShape(shape);
        var d = device ?? Device.CPU;
        fixed (long* p = shape)
            return NativeMethods.Wrap(NativeMethods.us3l_randint(low, high, p, shape.Length, generator?.Raw ?? IntPtr.Zero,
                (int)(dtype ?? ScalarType.Int64), (int)d.Type, d.Index));
    }

    public static Tensor randint(long high, long[] shape, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        randint(0, high, shape, dtype, device, generator);

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"randperm: n must be non-negative, got {n}.");
        var d = device ?? Device.CPU;
        return NativeMethods.Wrap(NativeMethods.us3l_randperm(n, generator?.Raw ?? IntPtr.Zero, (int)(dtype ?? ScalarType.Int64), (int)d.Type, d.Index));
    }

    public static Tensor bernoulli(Tensor probs, Generator? generator = null) =>
        NativeMethods.Wrap(NativeMethods.us3l_bernoulli(probs.Handle, generator?.Raw ?? IntPtr.Zero));

    public static Tensor multinomial(Tensor probs, long num_samples, bool replacement = false, Generator? generator = null) =>
        NativeMethods.Wrap(NativeMethods.us3l_multinomial(probs.Handle, num_samples, replacement ? 1 : 0, generator?.Raw ?? IntPtr.Zero));

    public static Tensor zeros_like(Tensor t, ScalarType? dtype = null, Device? device = null) => zeros(t.shape, dtype ?? t.dtype, device ?? t.device);
    public static Tensor ones_like(Tensor t, ScalarType? dtype = null, Device? device = null) => ones(t.shape, dtype ?? t.dtype, device ?? t.device);
    public static Tensor empty_like(Tensor t, ScalarType? dtype = null, Device? device = null) => empty(t.shape, dtype ?? t.dtype, device ?? t.device);
    public static Tensor full_like(Tensor t, double value, ScalarType? dtype = null, Device? device = null) => full(t.shape, value, dtype ?? t.dtype, device ?? t.device);
    public static Tensor rand_like(Tensor t, ScalarType? dtype = null, Generator? generator = null) => rand(t.shape, dtype ?? t.dtype, t.device, generator);
    public static Tensor randn_like(Tensor t, ScalarType? dtype = null, Generator? generator = null) => randn(t.shape, dtype ?? t.dtype, t.device, generator);

    // ---- from .NET data --------------------------------------------------------------------

    /// <summary>A CPU tensor holding a copy of <paramref name="data"/> in the given shape (default 1-D).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        var s = shape ?? new long[] { data.Length };
        ValidateShape(s);
        var count = s.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
            throw new ArgumentException($"tensor: {data.Length} values cannot fill shape {Tensor.ShapeString(s)} ({count} elements).");
        Tensor t;
        fixed (T* p = data)
        fixed (long* ps = s)
            t = NativeMethods.Wrap(NativeMethods.us3l_tensor_from_data(p, ps, s.Length, (int)ScalarTypes.Of<T>()));
        if (device is not null && device.Type != DeviceType.CPU)
        {
            var moved = t.to(device);
            t.Dispose();
            t = moved;
        }
        if (requires_grad) t.requires_grad_(true);
        return t;
    }

    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged =>
        tensor<T>(data.AsSpan(), shape.Length == 0 ? null : shape);

    public static Tensor tensor(float[,] data) => tensor<float>(Flatten(data), new long[] { data.GetLength(0), data.GetLength(1) });
    public static Tensor tensor(double[,] data) => tensor<double>(Flatten(data), new long[] { data.GetLength(0), data.GetLength(1) });

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor scalar_tensor(double value, ScalarType? dtype = null, Device? device = null) =>
        full(Array.Empty<long>(), value, dtype ?? defaultDtype, device);

    private static T[] Flatten<T>(T[,] data)
    {
        var result = new T[data.Length];
        var k = 0;
        foreach (var v in data) result[k++] = v;
        return result;
    }
}
