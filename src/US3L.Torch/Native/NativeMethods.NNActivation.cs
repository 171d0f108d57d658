using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/nn_activation.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_log_softmax(TensorHandle x, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_dropout(TensorHandle x, double p, int training);
}
