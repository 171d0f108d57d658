using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/nn_norm.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_batch_norm(TensorHandle x, TensorHandle runningMean, TensorHandle runningVar,
        TensorHandle weight, TensorHandle bias, int training, double momentum, double eps);
    [LibraryImport(Lib)] internal static unsafe partial TensorHandle us3l_layer_norm(TensorHandle x, long* normalizedShape, int ndim,
        TensorHandle weight, TensorHandle bias, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_group_norm(TensorHandle x, long numGroups, TensorHandle weight, TensorHandle bias, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_normalize(TensorHandle x, double p, long dim, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_cosine_similarity(TensorHandle a, TensorHandle b, long dim, double eps);
}
