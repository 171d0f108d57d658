using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/nn_loss.cpp. Reduction codes: 0 none, 1 mean, 2 sum.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight,
        long reduction, long ignoreIndex, double labelSmoothing);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight,
        long reduction, long ignoreIndex);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_l1_loss(TensorHandle input, TensorHandle target, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target,
        TensorHandle weight, TensorHandle posWeight, long reduction);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_kl_div(TensorHandle input, TensorHandle target, long reduction, int logTarget);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_one_hot(TensorHandle x, long numClasses);
}
