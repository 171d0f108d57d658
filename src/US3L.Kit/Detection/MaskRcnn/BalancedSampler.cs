using US3L.Torch;

namespace US3L.Detection;

/// <summary>
/// torchvision's BalancedPositiveNegativeSampler (science.md 10.5 [T]): per image, up to
/// batch size × positive fraction positives (label ≥ 1) and the rest of the batch from the negatives
/// (label 0), each drawn by a random permutation (torch.randperm, positives first, image by image,
/// from the generator given to <see cref="Sample"/>); labels of −1 are never drawn. With the same seed the draws
/// equal torchvision's from torch's global generator, on the same libtorch.
/// </summary>
public sealed class BalancedSampler(int batchSizePerImage, double positiveFraction)
{
    public int BatchSizePerImage { get; } = batchSizePerImage;
    public double PositiveFraction { get; } = positiveFraction;

    /// <summary>Per image, the boolean masks of the sampled positives and negatives.</summary>
    public (Tensor[] Positive, Tensor[] Negative) Sample(IReadOnlyList<Tensor> labels, Generator? generator)
    {
        using var scope = torch.NewDisposeScope();
        var positive = new Tensor[labels.Count];
        var negative = new Tensor[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var l = labels[i];
            var pos = (l >= 1).nonzero().view(-1);
            var neg = l.eq(0).nonzero().view(-1);
            var numPos = Math.Min(pos.numel(), (long)(BatchSizePerImage * PositiveFraction));
            var numNeg = Math.Min(neg.numel(), BatchSizePerImage - numPos);
            var perm1 = torch.randperm(pos.numel(), device: l.device, generator: generator).narrow(0, 0, numPos);
            var perm2 = torch.randperm(neg.numel(), device: l.device, generator: generator).narrow(0, 0, numNeg);
            positive[i] = Mask(l, pos.index_select(0, perm1));
            negative[i] = Mask(l, neg.index_select(0, perm2));
        }
        scope.MoveToOuter(positive);
        scope.MoveToOuter(negative);
        return (positive, negative);
    }

    private static Tensor Mask(Tensor like, Tensor index) =>
        torch.zeros(like.shape, ScalarType.UInt8, like.device).scatter(0, index, torch.ones(index.shape, ScalarType.UInt8, like.device)).ne(0);
}
