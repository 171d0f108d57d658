using US3L.Torch;

namespace US3L.Models;

/// <summary>
/// The detection backbone adapter of science.md 9 item 35: a backbone's four stage outputs C2-C5
/// (the feature maps a feature pyramid reads), their channel counts at a width (science.md 1.2)
/// and their strides relative to the input image.
/// </summary>
public interface IStageFeatures
{
    /// <summary>Stride of each stage's output relative to the input (4, 8, 16, 32 for ImageNet layouts).</summary>
    IReadOnlyList<int> StageStrides { get; }

    /// <summary>Channels of each stage's output at <paramref name="width"/>.</summary>
    IReadOnlyList<int> StageChannels(double width);

    /// <summary>The stage outputs [B, C_s(w), H/stride_s, W/stride_s] at the current width, shallowest first.</summary>
    Tensor[] ForwardStages(Tensor input);
}
