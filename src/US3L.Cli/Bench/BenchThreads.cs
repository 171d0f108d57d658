using System.CommandLine;
using System.Globalization;
using US3L.Torch;

namespace US3L.Cli.Bench;

/// <summary>
/// The thread count of both sides of a comparison, set the same way on each: <c>torch.set_num_threads(n)</c>
/// here and in the PyTorch worker (which reports the count it runs with). Also the machine's load,
/// printed next to the figures because a shared machine's speed moves with it.
/// </summary>
internal static class BenchThreads
{
    public static Option<int> CreateOption() => new("--threads")
    {
        Description = "Threads of both sides (torch.set_num_threads on each); 0 keeps this process's default", DefaultValueFactory = _ => 0,
    };

    /// <summary>Sets the thread count when <paramref name="requested"/> is positive and returns the count in effect.</summary>
    public static int Apply(int requested)
    {
        if (requested < 0) throw new ArgumentException($"--threads must be 0 (the default) or a positive integer, got {requested}.");
        if (requested > 0) torch.set_num_threads(requested);
        return torch.get_num_threads();
    }

    /// <summary>The one-minute load average (runnable threads, averaged), or null where /proc/loadavg is missing.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
