namespace US3L.Kernel;

/// <summary>
/// What cell code (and library code called from cells) can ask the kernel while a cell runs.
/// Interrupts are cooperative: long loops check <see cref="CancellationToken"/> or call
/// <see cref="ThrowIfInterrupted"/>; the cell then fails with a KeyboardInterrupt error.
/// </summary>
public static class KernelContext
{
    private static CancellationTokenSource _cell = new();

    /// <summary>Cancelled when the user interrupts the running cell.</summary>
    public static CancellationToken CancellationToken => _cell.Token;

    /// <summary>Throws <see cref="OperationCanceledException"/> once the running cell is interrupted.</summary>
    public static void ThrowIfInterrupted() => _cell.Token.ThrowIfCancellationRequested();

    /// <summary>True while a kernel hosts this process (false in plain programs and tests).</summary>
    public static bool IsRunningInKernel { get; internal set; }

    /// <summary>A fresh token for the next cell; the previous interrupt is forgotten.</summary>
    internal static CancellationToken BeginCell()
    {
        var next = new CancellationTokenSource();
        Interlocked.Exchange(ref _cell, next).Dispose();
        return next.Token;
    }

    internal static void Interrupt()
    {
        try
        {
            _cell.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A new cell replaced the token between the read and the cancel: nothing to interrupt.
        }
    }
}
