using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Augmentation;

/// <summary>
/// torchvision's Resize(int): the shorter side becomes <see cref="Size"/>, the longer one
/// int(size * long / short), keeping the aspect ratio (align_corners = false, no antialiasing).
/// Bicubic results are clamped to [0, 1]. Images already at the target size pass unchanged.
/// </summary>
public sealed class Resize : Augmentation
{
    public Resize(int size, Interpolation interpolation = Interpolation.Bilinear)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "Resize: size must be positive.");
        Size = size;
        Interpolation = interpolation;
    }

    public int Size { get; }
    public Interpolation Interpolation { get; }

    protected internal override Tensor Forward(Tensor x, Generator generator)
    {
        var (h, w) = (x.size(2), x.size(3));
        long outH = Size, outW = Size;
        if (h <= w) outW = (long)(Size * (double)w / h);
        else outH = (long)(Size * (double)h / w);
        if (outH == h && outW == w) return x;
        var bicubic = Interpolation == Interpolation.Bicubic;
        var y = F.interpolate(x, size: (outH, outW), mode: bicubic ? "bicubic" : "bilinear", align_corners: false);
        return bicubic ? y.clamp_(0, 1) : y;
    }
}

/// <summary>torchvision's CenterCrop: the centred size x size window, offset round((H - size) / 2).</summary>
public sealed class CenterCrop : Augmentation
{
    public CenterCrop(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "CenterCrop: size must be positive.");
        Size = size;
    }

    public int Size { get; }

    protected internal override Tensor Forward(Tensor x, Generator generator)
    {
        var (h, w) = (x.size(2), x.size(3));
        if (h < Size || w < Size)
            throw new ArgumentException($"CenterCrop: a {Size}x{Size} crop needs images at least that large, got {Augmentation.ShapeOf(x)}.");
        var top = (long)Math.Round((h - Size) / 2.0);
        var left = (long)Math.Round((w - Size) / 2.0);
        return x.narrow(2, top, Size).narrow(3, left, Size).contiguous();
    }
}
