using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Two independently augmented views of one batch, as the two-crop wrapper of SSL methods. The
/// views may use different pipelines (asymmetric BYOL / MoCo-v3 views). View 1's parameters are
/// drawn before view 2's.
/// </summary>
public sealed class TwoViews
{
    public TwoViews(Augmentation view1, Augmentation? view2 = null)
    {
        View1 = view1 ?? throw new ArgumentNullException(nameof(view1));
        View2 = view2 ?? view1;
    }

    public Augmentation View1 { get; }
    public Augmentation View2 { get; }

    /// <summary>Both views as float32 [B, C, H', W'] on the images' device; the caller owns them.</summary>
    public (Tensor View1, Tensor View2) Apply(Tensor images, Generator generator)
    {
        var first = View1.Apply(images, generator);
        try
        {
            return (first, View2.Apply(images, generator));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }
}
