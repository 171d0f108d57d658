using US3L.Torch;

namespace US3L.Losses;

/// <summary>Argument checks shared by the losses, so every loss rejects bad shapes with the same clear message.</summary>
internal static class LossChecks
{
    /// <summary>Requires a floating-point [B, d] batch of embeddings.</summary>
    public static void Embeddings(string op, string name, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 2)
            throw new ArgumentException($"{op}: {name} must be a batch of embeddings [B, d], got {Shape(x)}.", name);
        if (!x.is_floating_point())
            throw new ArgumentException($"{op}: {name} must be floating point, got {x.dtype.Name()}.", name);
    }

    /// <summary>Requires two [B, d] batches of the same shape (a prediction and its target).</summary>
    public static void Pair(string op, string first, Tensor a, string second, Tensor b)
    {
        Embeddings(op, first, a);
        Embeddings(op, second, b);
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException(
                $"{op}: {first} and {second} must have the same shape [B, d], got {Shape(a)} and {Shape(b)}.", second);
    }

    /// <summary>Requires a positive, finite temperature.</summary>
    public static void Temperature(string op, double tau)
    {
        if (!(tau > 0) || double.IsInfinity(tau))
            throw new ArgumentOutOfRangeException(nameof(tau), $"{op}: the temperature must be positive and finite, got {tau}.");
    }

    /// <summary>A shape as [a, b, ...] for messages.</summary>
    public static string Shape(Tensor x) => "[" + string.Join(", ", x.shape) + "]";
}
