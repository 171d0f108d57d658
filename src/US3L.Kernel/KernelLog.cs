namespace US3L.Kernel;

/// <summary>
/// Diagnostics of the kernel itself. They go to the process's real stderr (the frontend's log),
/// never to a cell's output, because Console.Error is redirected to the notebook.
/// </summary>
internal static class KernelLog
{
    private static readonly TextWriter Stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };

    public static void Warn(string message) => Stderr.WriteLine($"[us3l-kernel] {message}");
}
