using US3L.Sampling;

namespace US3L.Training;

/// <summary>
/// The width rule a run's trainer uses, for code that reasons about a run without training it:
/// expected passes and cost per iteration (science.md 4.2), the phase of an epoch under dynamic
/// sampling "A", or fresh draws of the same rule.
/// </summary>
public static class SamplingRules
{
    /// <summary>The <see cref="WidthSampling"/> of <paramref name="config"/>: exactly the rule its trainer draws from.</summary>
    public static WidthSampling For(PretrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return TrainingSetup.Rule(config);
    }
}
