using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// A batch as the detector sees it (torchvision's ImageList): <see cref="Tensors"/> [N, C, H, W] holds
/// the normalized images, each in the top-left corner of a zero-padded canvas, and
/// <see cref="ImageSizes"/> their sizes before padding. The list owns its tensor.
/// </summary>
public sealed class ImageList(Tensor tensors, IReadOnlyList<(int Height, int Width)> imageSizes) : IDisposable
{
    public Tensor Tensors { get; } = DisposeScope.Detach(tensors);
    public IReadOnlyList<(int Height, int Width)> ImageSizes { get; } = imageSizes;
    public int Count => ImageSizes.Count;

    public void Dispose() => Tensors.Dispose();
}
