using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// torchvision's RandomGrayscale: with probability p an RGB sample becomes its luma
/// (0.299 R + 0.587 G + 0.114 B) in all three channels. Grayscale images pass unchanged.
/// </summary>
public sealed class RandomGrayscale : RandomAugmentation
{
    public RandomGrayscale(double p = 0.1) : base(p) { }

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        if (ColorOps.RequireGrayOrRgb(x, "RandomGrayscale") == 1 || !active.Any(a => a)) return x;
        return torch.where(SampleRandom.Mask(active, x), ColorOps.Grayscale(x).expand_as(x), x);
    }
}
