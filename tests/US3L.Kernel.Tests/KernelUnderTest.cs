using System.Diagnostics;

namespace US3L.Kernel.Tests;

/// <summary>
/// The kernel built next to this test assembly, installed as kernelspecs in a private Jupyter
/// data directory, and the way to run a python test module against it with Debian's python.
/// </summary>
internal static class KernelUnderTest
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<string> JupyterPath = new(Install);

    public static string KernelDll
    {
        get
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "US3L.Kernel.dll");
            if (!File.Exists(dll) || !File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
                throw new FileNotFoundException($"expected the built kernel (US3L.Kernel.dll and its runtimeconfig) next to the tests in {AppContext.BaseDirectory}");
            return dll;
        }
    }

    /// <summary>Runs <c>python3 -m unittest -v module</c> in the python folder; returns exit code and output.</summary>
    public static (int ExitCode, string Output) RunPythonSuite(string module)
    {
        var start = new ProcessStartInfo(Python, ["-m", "unittest", "-v", module])
        {
            WorkingDirectory = Path.Combine(AppContext.BaseDirectory, "python"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["JUPYTER_PATH"] = JupyterPath.Value;
        start.Environment["US3L_KERNEL_NAME"] = "us3l-csharp";
        start.Environment["US3L_POLYGLOT_KERNEL"] = "1";
        start.Environment["US3L_SAMPLE_DLL"] = typeof(SampleLibrary).Assembly.Location;
        // Keep the user's own kernelspecs and config out of the way.
        start.Environment["JUPYTER_CONFIG_DIR"] = Path.Combine(JupyterPath.Value, "config");
        start.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(JupyterPath.Value, "runtime");
        return Run(start, TimeSpan.FromMinutes(5));
    }

    /// <summary>Installs the kernelspecs through the kernel's own install option.</summary>
    private static string Install()
    {
        string dataDir = Path.Combine(Path.GetTempPath(), $"us3l-kernel-tests-{Environment.ProcessId}");
        var (code, output) = Run(new ProcessStartInfo("dotnet", [KernelDll, "--install", dataDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }, TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException($"kernel --install failed ({code}):\n{output}");
        return dataDir;
    }

    private static (int, string) Run(ProcessStartInfo start, TimeSpan limit)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {limit}\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
