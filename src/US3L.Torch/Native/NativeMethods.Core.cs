using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/core.cpp.</summary>
internal static partial class NativeMethods
{
    private const string Lib = NativeLibraryLoader.LibraryName;

    static NativeMethods()
    {
        us3l_init();
        // Debian's libtorch starts with a single OpenMP thread; use every core unless the user
        // chose a count through OMP_NUM_THREADS.
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            us3l_set_num_threads(Environment.ProcessorCount);
    }

    [LibraryImport(Lib)] internal static partial void us3l_init();
    [LibraryImport(Lib)] internal static partial IntPtr us3l_last_error();
    [LibraryImport(Lib)] internal static partial long us3l_live_tensors();
    [LibraryImport(Lib)] internal static partial void us3l_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_tensor_alias(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long us3l_tensor_dim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long us3l_tensor_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_device_type(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_device_index(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_is_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_is_leaf(TensorHandle t);
    [LibraryImport(Lib)] internal static partial long us3l_tensor_element_size(TensorHandle t);
    [LibraryImport(Lib)] internal static unsafe partial void us3l_tensor_sizes(TensorHandle t, long* output);
    [LibraryImport(Lib)] internal static unsafe partial void us3l_tensor_strides(TensorHandle t, long* output);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_tensor_from_data(void* data, long* shape, int ndim, int dtype);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_tensor_copy_to(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial IntPtr us3l_tensor_data_ptr(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_tensor_item(TensorHandle t, out double asDouble, out long asInt64);

    [LibraryImport(Lib)] internal static partial TensorHandle us3l_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, int nonBlocking, int copy);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_clone(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_detach_(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int us3l_copy_(TensorHandle dst, TensorHandle src, int nonBlocking);
    [LibraryImport(Lib)] internal static partial int us3l_set_data(TensorHandle dst, TensorHandle src);

    [LibraryImport(Lib)] internal static partial int us3l_set_requires_grad(TensorHandle t, int flag);
    [LibraryImport(Lib)] internal static partial int us3l_grad(TensorHandle t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int us3l_set_grad(TensorHandle t, TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int us3l_zero_grad(TensorHandle t, int setToNone);
    [LibraryImport(Lib)] internal static partial int us3l_backward(TensorHandle t, TensorHandle gradient, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static unsafe partial int us3l_autograd_grad(IntPtr* outputs, IntPtr* gradOutputs, int nOutputs,
        IntPtr* inputs, int nInputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);
    [LibraryImport(Lib)] internal static partial int us3l_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial void us3l_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial IntPtr us3l_inference_mode_enter();
    [LibraryImport(Lib)] internal static partial void us3l_inference_mode_exit(IntPtr guard);

    [LibraryImport(Lib)] internal static partial int us3l_get_num_threads();
    [LibraryImport(Lib)] internal static partial int us3l_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int us3l_get_num_interop_threads();
    [LibraryImport(Lib)] internal static partial int us3l_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial IntPtr us3l_generator_new(ulong seed);
    [LibraryImport(Lib)] internal static partial void us3l_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int us3l_generator_manual_seed(IntPtr g, ulong seed);
    [LibraryImport(Lib)] internal static partial ulong us3l_generator_initial_seed(IntPtr g);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_generator_get_state(IntPtr g);
    [LibraryImport(Lib)] internal static partial int us3l_generator_set_state(IntPtr g, TensorHandle state);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_default_generator_get_state();
    [LibraryImport(Lib)] internal static partial int us3l_default_generator_set_state(TensorHandle state);
    [LibraryImport(Lib)] internal static partial int us3l_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int us3l_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int us3l_cuda_synchronize(int deviceIndex);
    [LibraryImport(Lib)] internal static partial IntPtr us3l_torch_version();

    /// <summary>The last native error of this thread.</summary>
    internal static string LastError() => Marshal.PtrToStringUTF8(us3l_last_error()) ?? "unknown native error";

    /// <summary>Throws the native error when a status call failed.</summary>
    internal static void Check(int status)
    {
        if (status != 0) throw new TorchException(LastError());
    }

    /// <summary>Turns a returned handle into a scoped tensor, or throws the native error.</summary>
    internal static Tensor Wrap(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            handle.SetHandleAsInvalid();
            throw new TorchException(LastError());
        }
        return new Tensor(handle);
    }
}
