using System.Diagnostics;

namespace US3L.Cli.Tests;

/// <summary>
/// The CLI built next to these tests, run as its own process (exit code and output as a user
/// sees them). Jupyter's user folders point at a private empty directory, so the runner's own
/// private kernelspec install is what runs, whatever is installed on the machine.
/// </summary>
internal static class CliProcess
{
    private static readonly Lazy<string> JupyterHome = new(CreateJupyterHome);

    private static string CreateJupyterHome()
    {
        string dir = Directory.CreateTempSubdirectory("us3l-cli-tests-jupyter-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    }

    public static (int ExitCode, string Output) Run(string workingDirectory, params string[] args) =>
        Run(StartInfo(workingDirectory, args), TimeSpan.FromMinutes(5));

    /// <summary>Runs a start info from <see cref="StartInfo"/> (with changes of the caller's) for at most <paramref name="limit"/>.</summary>
    public static (int ExitCode, string Output) Run(ProcessStartInfo start, TimeSpan limit)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>How the CLI is started: the built us3l.dll, Jupyter and the notebook run store kept private.</summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "us3l.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["JUPYTER_DATA_DIR"] = Path.Combine(JupyterHome.Value, "data");
        start.Environment["JUPYTER_CONFIG_DIR"] = Path.Combine(JupyterHome.Value, "config");
        start.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(JupyterHome.Value, "runtime");
        start.Environment.Remove("JUPYTER_PATH");
        // Notebooks train into a store of their own, so every test run trains afresh (no cached runs).
        start.Environment["US3L_NOTEBOOK_RUNS"] = Path.Combine(JupyterHome.Value, "runs");
        return start;
    }

    /// <summary>The repository root (the folder holding US3L.Notebooks.sln) above the test output.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "US3L.Notebooks.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException($"no US3L.Notebooks.sln above {AppContext.BaseDirectory}");
        }
    }
}
