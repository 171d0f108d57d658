using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/creation.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_empty(long* shape, int ndim, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_zeros(long* shape, int ndim, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_ones(long* shape, int ndim, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_full(long* shape, int ndim, double value, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_eye(long n, long m, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_arange(double start, double end, double step, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_linspace(double start, double end, long steps, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_rand(long* shape, int ndim, IntPtr gen, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_randn(long* shape, int ndim, IntPtr gen, int dtype, int dev, int idx, int rg);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_randint(long low, long high, long* shape, int ndim, IntPtr gen, int dtype, int dev, int idx);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_randperm(long n, IntPtr gen, int dtype, int dev, int idx);
    [LibraryImport(Lib)] internal static partial int us3l_uniform_(TensorHandle t, double from, double to, IntPtr gen);
    [LibraryImport(Lib)] internal static partial int us3l_normal_(TensorHandle t, double mean, double std, IntPtr gen);
    [LibraryImport(Lib)] internal static partial int us3l_bernoulli_(TensorHandle t, double p, IntPtr gen);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_bernoulli(TensorHandle probs, IntPtr gen);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_multinomial(TensorHandle probs, long n, int replacement, IntPtr gen);
    [LibraryImport(Lib)] internal static partial int us3l_fill_(TensorHandle t, double value);
    [LibraryImport(Lib)] internal static partial int us3l_zero_(TensorHandle t);
}
