using System.Runtime.InteropServices;
using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// The PyTorch-style entry point: <c>torch.randn(2, 3)</c>, <c>torch.manual_seed(0)</c>,
/// <c>using (torch.no_grad()) { ... }</c>. Tensor factories live in torch.Creation.cs.
/// </summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.UInt8;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;

    public static readonly Device CPU = Device.CPU;

    private static ScalarType defaultDtype = ScalarType.Float32;

    /// <summary>The dtype of floating-point factories when none is given (float32).</summary>
    public static ScalarType get_default_dtype() => defaultDtype;

    public static void set_default_dtype(ScalarType t)
    {
        if (!t.IsFloatingPoint()) throw new ArgumentException($"The default dtype must be floating point, got {t.Name()}.");
        defaultDtype = t;
    }

    /// <summary>The libtorch version the native shim was built against.</summary>
    public static string libtorch_version => Marshal.PtrToStringUTF8(NativeMethods.us3l_torch_version()) ?? "unknown";

    // ---- scopes and modes ------------------------------------------------------------------

    /// <summary>Opens a scope that disposes every tensor created in it when it ends.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Disables gradient recording until disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Re-enables gradient recording inside a no_grad block.</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);

    public static bool is_grad_enabled() => NativeMethods.us3l_is_grad_enabled() != 0;

    /// <summary>
    /// libtorch's inference mode: like no_grad but faster; tensors created in it can never take part
    /// in autograd later. Dispose on the same thread.
    /// </summary>
    public static IDisposable inference_mode() => new InferenceModeScope();

    private sealed class GradModeScope : IDisposable
    {
        private readonly int previous;
        private bool done;

        public GradModeScope(bool enabled)
        {
            previous = NativeMethods.us3l_is_grad_enabled();
            NativeMethods.us3l_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (done) return;
            done = true;
            NativeMethods.us3l_set_grad_enabled(previous);
        }
    }

    private sealed class InferenceModeScope : IDisposable
    {
        private IntPtr guard = NativeMethods.us3l_inference_mode_enter();

        public void Dispose()
        {
            if (guard == IntPtr.Zero) return;
            NativeMethods.us3l_inference_mode_exit(guard);
            guard = IntPtr.Zero;
        }
    }

    // ---- threads and seeds -----------------------------------------------------------------

    public static int get_num_threads() => NativeMethods.us3l_get_num_threads();

    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"Thread count must be at least 1, got {n}.");
        NativeMethods.Check(NativeMethods.us3l_set_num_threads(n));
    }

    public static int get_num_interop_threads() => NativeMethods.us3l_get_num_interop_threads();

    /// <summary>Seeds the default generators of every device.</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(NativeMethods.us3l_manual_seed(unchecked((ulong)seed)));

    /// <summary>The default CPU generator's state, for checkpoints.</summary>
    public static Tensor get_rng_state() => NativeMethods.Wrap(NativeMethods.us3l_default_generator_get_state());

    public static void set_rng_state(Tensor state) => NativeMethods.Check(NativeMethods.us3l_default_generator_set_state(state.Handle));

    /// <summary>Live native tensor handles in this process (for memory tests and diagnostics).</summary>
    public static long live_tensor_count() => NativeMethods.us3l_live_tensors();

    public static class cuda
    {
        public static bool is_available() => NativeMethods.us3l_cuda_is_available() != 0;
        public static int device_count() => NativeMethods.us3l_cuda_device_count();
        public static void synchronize(int device = -1) => NativeMethods.Check(NativeMethods.us3l_cuda_synchronize(device));
    }
}
