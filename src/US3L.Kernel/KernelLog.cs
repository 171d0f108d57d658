namespace US3L.Kernel;

/// <summary>
/// Diagnostics of the kernel itself. They go to the process's real stderr (the frontend's log),
/// never to a cell's output, because Console.Error is redirected to the notebook.
/// </summary>
internal static class KernelLog
{
    private static readonly TextWriter Stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };

    /// <summary>One line per call, whole even when the shell and control threads log at once.</summary>
    public static void Warn(string message)
    {
        lock (Stderr) Stderr.WriteLine($"[us3l-kernel] {message}");
    }
}
