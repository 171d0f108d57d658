namespace US3L.Tests.Training;

/// <summary>
/// Tests that compare two seeded runs for equality. A run seeds the process-wide torch generator
/// and draws its heads' initial weights from it, so another test drawing random numbers at the same
/// moment would change one of the two runs: these tests run alone, not in parallel with others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTrainingCollection
{
    public const string Name = "seeded training runs";
}
