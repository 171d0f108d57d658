using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/nn_conv.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_linear(TensorHandle x, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_conv2d(TensorHandle x, TensorHandle weight, TensorHandle bias,
        long sh, long sw, long ph, long pw, long dh, long dw, long groups);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial TensorHandle us3l_conv2d_padding_mode(
        TensorHandle x, TensorHandle weight, TensorHandle bias, long sh, long sw, string padding, long dh, long dw, long groups);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_conv_transpose2d(TensorHandle x, TensorHandle weight, TensorHandle bias,
        long sh, long sw, long ph, long pw, long oph, long opw, long groups, long dh, long dw);
}
