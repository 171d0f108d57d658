namespace US3L.Notebook;

/// <summary>
/// How many arms of a grid train at once and with how many threads each. On CPU the way to use
/// more cores for a grid is more processes, not more threads: the small models of the CPU recipes
/// gain little from intra-op threads beyond two (each convolution is too small to split well),
/// while separate runs share nothing and scale with the cores. So by default every arm gets two
/// threads and as many arms run as there are pairs of cores: one arm with both cores on a 2-core
/// laptop, eight arms on 16 cores. A GPU run trains one arm at a time (the arms would share one device).
/// </summary>
public static class GridParallelism
{
    /// <summary>Threads the default gives each arm.</summary>
    public const int ThreadsPerArmByDefault = 2;

    /// <summary>Arms to train at once: 1 for GPU configs, else one per <see cref="ThreadsPerArmByDefault"/> cores.</summary>
    public static int Default(IEnumerable<GridArm> arms, int? cores = null)
    {
        if (arms.Any(a => a.Config.Device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))) return 1;
        return Math.Max(1, (cores ?? Environment.ProcessorCount) / ThreadsPerArmByDefault);
    }

    /// <summary>
    /// <c>OMP_NUM_THREADS</c> of each arm's process: the cores shared evenly among <paramref name="parallel"/>
    /// arms (at least one), capped by this process's own <c>OMP_NUM_THREADS</c> when set, since a limit
    /// set for a shared machine should hold for every process started from it.
    /// </summary>
    public static int ThreadsPerArm(int parallel, int? cores = null, string? ompNumThreads = null)
    {
        if (parallel < 1) throw new ArgumentOutOfRangeException(nameof(parallel), $"At least one arm must run at a time, got {parallel}.");
        var threads = Math.Max(1, (cores ?? Environment.ProcessorCount) / parallel);
        var cap = ompNumThreads ?? Environment.GetEnvironmentVariable("OMP_NUM_THREADS");
        return int.TryParse(cap, out var limit) && limit > 0 ? Math.Min(threads, limit) : threads;
    }
}
