using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Runs augmentations in order. Each step runs in its own dispose scope, so only the current
/// batch is alive between steps (the peak memory of a pipeline is that of its largest step).
/// </summary>
public sealed class Compose : Augmentation
{
    public Compose(params Augmentation[] steps)
    {
        if (steps.Any(s => s is null)) throw new ArgumentException("Compose: steps must not be null.", nameof(steps));
        Steps = steps.ToArray();
    }

    public IReadOnlyList<Augmentation> Steps { get; }

    protected internal override Tensor Forward(Tensor x, Generator generator)
    {
        var current = x;
        foreach (var step in Steps)
        {
            var input = current;
            current = BatchSubset.Scoped(input, () => step.Forward(input, generator));
            if (!ReferenceEquals(input, x) && !ReferenceEquals(input, current)) input.Dispose();
        }
        return current;
    }
}

/// <summary>
/// With probability p, applies one of the options, chosen uniformly per sample (science 8.1's
/// "Gaussian noise or blur, p = 0.5"). Options must have p = 1: this op's p decides.
/// </summary>
public sealed class OneOf : RandomAugmentation
{
    public OneOf(double p, params RandomAugmentation[] options) : base(p)
    {
        if (options.Length == 0) throw new ArgumentException("OneOf: give at least one option.", nameof(options));
        foreach (var o in options)
            if (o.P != 1)
                throw new ArgumentException($"OneOf: option {o.GetType().Name} has p = {o.P}; give options with p = 1, OneOf's p decides.", nameof(options));
        Options = options.ToArray();
    }

    public IReadOnlyList<RandomAugmentation> Options { get; }

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        var choice = SampleRandom.Uniform(generator, active.Length)
            .Select(u => Math.Min((int)(u * Options.Count), Options.Count - 1)).ToArray();
        for (var k = 0; k < Options.Count; k++)
        {
            var option = Options[k];
            var mine = active.Select((a, b) => a && choice[b] == k).ToArray();
            var input = x;
            x = BatchSubset.Scoped(input, () => option.ApplyWhere(input, mine, generator));
        }
        return x;
    }
}
