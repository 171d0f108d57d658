using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// One image and its annotations. <see cref="Image"/> is [C, H, W]: uint8 (0-255) as datasets give
/// it, float32 (0-1) after <see cref="DetectionResize"/>. The sample owns both and disposes them.
/// </summary>
public sealed class DetectionSample : IDisposable
{
    public DetectionSample(Tensor image, DetectionTarget target)
    {
        if (image.dim() != 3)
            throw new ArgumentException($"DetectionSample {target.ImageId}: the image must be [C, H, W], got {DetectionChecks.Shape(image)}.");
        if (image.size(1) != target.Masks.size(1) || image.size(2) != target.Masks.size(2))
            throw new ArgumentException(
                $"DetectionSample {target.ImageId}: the image is {image.size(1)}x{image.size(2)} but its masks are {target.Masks.size(1)}x{target.Masks.size(2)}.");
        Image = DisposeScope.Detach(image);
        Target = target;
    }

    public Tensor Image { get; }
    public DetectionTarget Target { get; }
    public long ImageId => Target.ImageId;
    public int Height => (int)Image.size(1);
    public int Width => (int)Image.size(2);

    public void Dispose()
    {
        Image.Dispose();
        Target.Dispose();
    }
}
