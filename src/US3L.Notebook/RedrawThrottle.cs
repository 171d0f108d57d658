using System.Diagnostics;

namespace US3L.Notebook;

/// <summary>
/// When a live view redraws: at most once per interval (each redraw resends the whole output to
/// the frontend), and always when forced (an epoch's end, the final state).
/// </summary>
internal sealed class RedrawThrottle(TimeSpan interval)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? last;

    /// <summary>True when a redraw is due now; it then counts as done.</summary>
    public bool Due(bool force)
    {
        var now = clock.Elapsed;
        if (!force && last is { } drawn && now - drawn < interval) return false;
        last = now;
        return true;
    }
}
