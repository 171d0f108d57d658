namespace US3L.Augmentation;

/// <summary>How resized crops and resizes sample the source image.</summary>
public enum Interpolation
{
    /// <summary>Bilinear (torchvision's default).</summary>
    Bilinear,
    /// <summary>Bicubic (a = -0.75, as PyTorch), clamped back to [0, 1] as PIL's uint8 result is.</summary>
    Bicubic,
}
