using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>torchvision's RandomHorizontalFlip: mirrors the width axis of each sample with probability p.</summary>
public sealed class HorizontalFlip : RandomAugmentation
{
    public HorizontalFlip(double p = 0.5) : base(p) { }

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        if (!active.Any(a => a)) return x;
        return torch.where(SampleRandom.Mask(active, x), x.flip(3), x);
    }
}
