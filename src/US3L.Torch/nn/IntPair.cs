namespace US3L.Torch;

/// <summary>
/// A (height, width) pair of a 2-D op's kernel size, stride, padding or dilation. Converts from
/// one integer (used for both sides) or a tuple, so calls read as in PyTorch:
/// <c>conv2d(x, w, stride: 2, padding: (1, 0))</c>.
/// </summary>
public readonly record struct IntPair(long H, long W)
{
    public static implicit operator IntPair(long value) => new(value, value);
    public static implicit operator IntPair(int value) => new(value, value);
    public static implicit operator IntPair((long H, long W) pair) => new(pair.H, pair.W);
    public static implicit operator IntPair((int H, int W) pair) => new(pair.H, pair.W);

    public override string ToString() => $"({H}, {W})";

    /// <summary>Throws unless both sides are at least <paramref name="min"/>.</summary>
    internal IntPair AtLeast(long min, string op, string name)
    {
        if (H < min || W < min)
            throw new ArgumentException($"{op}: {name} must be at least {min} on each side, got {this}.", name);
        return this;
    }
}
