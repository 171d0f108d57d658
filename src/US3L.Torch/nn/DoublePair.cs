namespace US3L.Torch;

/// <summary>
/// A (height, width) pair of real numbers, such as interpolate's scale_factor. Converts from one
/// number (used for both sides) or a tuple: <c>scale_factor: 2</c>, <c>scale_factor: (2.0, 1.5)</c>.
/// </summary>
public readonly record struct DoublePair(double H, double W)
{
    public static implicit operator DoublePair(double value) => new(value, value);
    public static implicit operator DoublePair((double H, double W) pair) => new(pair.H, pair.W);

    public override string ToString() => $"({H}, {W})";
}
