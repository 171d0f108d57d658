namespace US3L.Teacher;

/// <summary>The EMA momentum m as a function of the number of updates already made (science.md 3.4 step 1).</summary>
public abstract record EmaMomentum
{
    /// <summary>m for the update that follows <paramref name="updates"/> earlier updates.</summary>
    public abstract double At(long updates);

    /// <summary>Rejects a momentum outside [0, 1].</summary>
    protected static void CheckMomentum(double m, string name)
    {
        if (!(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(name, $"An EMA momentum must lie in [0, 1], got {m}.");
    }
}

/// <summary>
/// A constant m: 0.99 for the CNN recipes (science.md 3.4), 0.98 for CPU runs under 20 epochs
/// (science.md 8.1). m = 0 makes the teacher the online network (the collapsing arm of experiment E1).
/// </summary>
public sealed record ConstantMomentum(double Value = 0.99) : EmaMomentum
{
    public override double At(long updates)
    {
        CheckMomentum(Value, nameof(Value));
        if (updates < 0) throw new ArgumentOutOfRangeException(nameof(updates), $"The update count must be 0 or more, got {updates}.");
        return Value;
    }
}

/// <summary>
/// The ViT schedule (MoCo v3, BYOL): m_t = 1 − (1 − m₀)(1 + cos(π t/T))/2, stepped per iteration,
/// from m₀ at t = 0 to 1 at t = T and held at 1 after.
/// </summary>
/// <param name="Start">m₀ (0.99).</param>
/// <param name="TotalUpdates">T, the iterations of the whole run (one update per iteration).</param>
public sealed record CosineMomentum(double Start, long TotalUpdates) : EmaMomentum
{
    public override double At(long updates)
    {
        CheckMomentum(Start, nameof(Start));
        if (TotalUpdates <= 0) throw new ArgumentOutOfRangeException(nameof(TotalUpdates), $"The cosine schedule needs a positive length, got {TotalUpdates}.");
        if (updates < 0) throw new ArgumentOutOfRangeException(nameof(updates), $"The update count must be 0 or more, got {updates}.");
        var t = Math.Min(updates, TotalUpdates);
        return 1 - (1 - Start) * (1 + Math.Cos(Math.PI * t / TotalUpdates)) / 2;
    }
}
