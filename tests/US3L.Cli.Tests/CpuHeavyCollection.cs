namespace US3L.Cli.Tests;

/// <summary>
/// Test classes whose processes train or time things on every core (notebooks in either kernel,
/// kill-and-resume runs, studies, benchmarks). xunit runs the classes of one collection one after
/// another: two libtorch processes with an OpenMP team each on the same two cores spin against
/// each other and train ten times slower, which pushed a smoke notebook past its time limit.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CpuHeavyCollection
{
    public const string Name = "cpu-heavy processes";
}
