using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// A batched image augmentation. <see cref="Apply"/> takes uint8 (0-255) or floating (0-1) images
/// [B, C, H, W] on any device and returns new float32 images [B, C, H', W'] on the same device.
/// Random parameters are drawn per sample on the CPU from the caller's <see cref="Generator"/>, so a
/// generator state gives the same augmentation on every device; the pixels are then transformed in
/// batched tensor ops on the images' device.
/// </summary>
public abstract class Augmentation
{
    /// <summary>Augments a batch; the input is left untouched and the result is a new tensor.</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = torch.NewDisposeScope();
        var x = ToFloat(images, GetType().Name);
        return scope.MoveToOuter(Forward(x, generator));
    }

    /// <summary>
    /// The transform proper. <paramref name="x"/> is float32 [B, C, H, W] with values in [0, 1] (or
    /// normalized values after <see cref="Normalize"/>). May return <paramref name="x"/> itself when
    /// nothing changes; temporaries belong to the caller's dispose scope.
    /// </summary>
    protected internal abstract Tensor Forward(Tensor x, Generator generator);

    /// <summary>"[B, C, H, W]" for error messages.</summary>
    internal static string ShapeOf(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>uint8 images scaled by 1/255, floating images copied as float32; both as a new tensor.</summary>
    internal static Tensor ToFloat(Tensor images, string op)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"{op}: expected images [B, C, H, W], got shape {Augmentation.ShapeOf(images)}.", nameof(images));
        if (images.dtype == ScalarType.UInt8) return images.to(ScalarType.Float32).div_(255.0);
        if (images.is_floating_point()) return images.to(ScalarType.Float32, copy: true);
        throw new ArgumentException($"{op}: expected uint8 (0-255) or floating (0-1) images, got dtype {images.dtype.ToString().ToLowerInvariant()}.", nameof(images));
    }
}

/// <summary>
/// An augmentation applied to each sample with probability <see cref="P"/> (torchvision's
/// RandomApply / the p of RandomGrayscale and RandomHorizontalFlip).
/// </summary>
public abstract class RandomAugmentation : Augmentation
{
    protected RandomAugmentation(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, $"{GetType().Name}: p must be in [0, 1].");
        P = p;
    }

    /// <summary>Probability that a sample is transformed.</summary>
    public double P { get; }

    protected internal sealed override Tensor Forward(Tensor x, Generator generator)
    {
        var active = SampleRandom.Bernoulli(generator, (int)x.size(0), P);
        return ApplyWhere(x, active, generator);
    }

    /// <summary>
    /// Transforms the samples whose <paramref name="active"/> flag is set and keeps the others
    /// exactly. Draws this op's parameters for every sample, active or not, so the generator
    /// advances by the same amount whatever the coin flips were.
    /// </summary>
    protected internal abstract Tensor ApplyWhere(Tensor x, bool[] active, Generator generator);
}
