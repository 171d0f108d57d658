namespace US3L.Tests.Training;

/// <summary>
/// Tests that compare two seeded runs for equality run alone, not in parallel with others. A run
/// draws its weights, batches and augmentations from generators of its own, but it also seeds the
/// process-wide torch generator; running alone keeps these comparisons clear of any test that
/// draws from or reseeds that one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTrainingCollection
{
    public const string Name = "seeded training runs";
}
