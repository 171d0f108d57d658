namespace US3L.Tests.Import;

/// <summary>
/// Tests that run float64 convolutions set libtorch to one thread while they run, so they run
/// alone: the thread count is process-wide. On a busy 2-core machine, a float64 MobileNetV2 forward
/// pass took 19 s with 2 threads and 0.19 s with 1 (float32: 0.2 s and 0.08 s).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SingleThreadedCollection
{
    public const string Name = "single-threaded float64 comparisons";

    /// <summary>Runs <paramref name="body"/> with one libtorch thread, then restores the count.</summary>
    public static void Run(Action body)
    {
        var before = torch.get_num_threads();
        torch.set_num_threads(1);
        try { body(); }
        finally { torch.set_num_threads(before); }
    }
}
