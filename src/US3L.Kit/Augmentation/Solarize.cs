using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// torchvision's RandomSolarize: with probability p, pixels at or above the threshold become
/// 1 - x. The default threshold 128/255 is PIL's ImageOps.solarize (used by the BYOL/MoCo-v3 views)
/// on uint8 images.
/// </summary>
public sealed class Solarize : RandomAugmentation
{
    public const double PilThreshold = 128.0 / 255.0;

    public Solarize(double threshold = PilThreshold, double p = 0.2) : base(p)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "Solarize: threshold must be in [0, 1].");
        Threshold = threshold;
    }

    public double Threshold { get; }

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        if (!active.Any(a => a)) return x;
        return torch.where(SampleRandom.Mask(active, x), ColorOps.Solarize(x, Threshold), x);
    }
}
