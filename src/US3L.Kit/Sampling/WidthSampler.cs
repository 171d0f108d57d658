using US3L.Data;

namespace US3L.Sampling;

/// <summary>What a sampler chose for one iteration: log it to verify the phase schedule (science.md 8.1).</summary>
/// <param name="Iteration">0-based count of draws made by this sampler before this one.</param>
/// <param name="Epoch">The epoch the widths were drawn for.</param>
/// <param name="Widths">The widths, sorted in descending order; Widths[0] plays the max role.</param>
public sealed record WidthDraw(long Iteration, int Epoch, IReadOnlyList<double> Widths)
{
    public override string ToString() => $"iteration {Iteration}, epoch {Epoch}: [{string.Join(", ", Widths)}]";
}

/// <summary>The whole state of a <see cref="WidthSampler"/>: save it in a checkpoint, restore it to resume exactly.</summary>
/// <param name="Seed">The seed the sampler was created with.</param>
/// <param name="Iterations">How many iterations it has drawn.</param>
public sealed record WidthSamplerState(long Seed, long Iterations);

/// <summary>
/// Runs a <see cref="WidthSampling"/> rule, one draw per training iteration. Iteration t draws from
/// its own random stream derived from (seed, t), so the state is just the seed and the iteration
/// count: a resumed run draws exactly what the uninterrupted run would have, and the widths do not
/// depend on any other consumer of randomness (data order, augmentation, initialisation).
/// </summary>
public sealed class WidthSampler
{
    public WidthSampler(WidthSampling rule, long seed)
    {
        Rule = rule ?? throw new ArgumentNullException(nameof(rule));
        Seed = seed;
    }

    /// <summary>The sampling rule.</summary>
    public WidthSampling Rule { get; }

    /// <summary>The seed of the random streams.</summary>
    public long Seed { get; private set; }

    /// <summary>Iterations drawn so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>The last draw, or null before the first.</summary>
    public WidthDraw? Last { get; private set; }

    /// <summary>Draws the widths of the next iteration of epoch <paramref name="epoch"/>, sorted in descending order.</summary>
    public WidthDraw Next(int epoch)
    {
        var widths = Rule.Draw(epoch, SeededRandom.Derive(Seed, Iterations));
        Last = new WidthDraw(Iterations, epoch, widths);
        Iterations++;
        return Last;
    }

    /// <summary>The state to checkpoint.</summary>
    public WidthSamplerState State => new(Seed, Iterations);

    /// <summary>Continues from a checkpointed state: the next draw equals the one the saved run would have made.</summary>
    public void Restore(WidthSamplerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Iterations < 0) throw new ArgumentException($"A sampler state cannot have a negative iteration count, got {state.Iterations}.");
        Seed = state.Seed;
        Iterations = state.Iterations;
        Last = null;
    }
}
