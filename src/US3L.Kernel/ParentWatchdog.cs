namespace US3L.Kernel;

/// <summary>
/// Ends the kernel when the process that started it dies. jupyter_client names that process in
/// JPY_PARENT_PID; without this, a crashed frontend would leave an orphan kernel behind.
/// </summary>
internal static class ParentWatchdog
{
    public static void Start()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out int parent) || parent <= 1) return;
        new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(1000);
                // Re-parenting (to init or a subreaper) means the original parent is gone.
                if (!IsAlive(parent) || Environment.GetEnvironmentVariable("JPY_PARENT_PID") is null || ParentPid() != parent)
                {
                    KernelLog.Warn($"parent process {parent} is gone; exiting");
                    Environment.Exit(1);
                }
            }
        }) { IsBackground = true, Name = "parent-watchdog" }.Start();
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static int ParentPid()
    {
        // /proc/self/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1]);
    }
}
