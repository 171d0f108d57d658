using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>P/Invoke declarations of src/native/detection.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_roi_align(TensorHandle input, TensorHandle rois, double spatialScale,
        long pooledH, long pooledW, long samplingRatio, int aligned);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_nms(TensorHandle boxes, TensorHandle scores, double iouThreshold);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_batched_nms(TensorHandle boxes, TensorHandle scores, TensorHandle idxs,
        double iouThreshold);
}
