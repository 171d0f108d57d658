using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Kernel;

/// <summary>
/// Writes the kernelspecs into Jupyter's data directory: <c>us3l-csharp</c>, and the same kernel
/// under <c>.net-csharp</c>, the name Polyglot notebooks carry in their metadata, so those
/// notebooks run unchanged.
/// </summary>
internal static class KernelSpecInstaller
{
    public static readonly string[] Names = ["us3l-csharp", ".net-csharp"];

    /// <summary>Installs under <paramref name="dataDir"/>/kernels (default: <c>jupyter --data-dir</c>).</summary>
    public static IReadOnlyList<string> Install(string? dataDir)
    {
        dataDir ??= JupyterDataDir();
        string kernelDll = typeof(KernelSpecInstaller).Assembly.Location;
        var written = new List<string>();
        foreach (string name in Names)
        {
            string dir = Path.Combine(dataDir, "kernels", name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "kernel.json"), Spec(kernelDll).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            written.Add(dir);
        }
        return written;
    }

    public static JsonObject Spec(string kernelDll) => new()
    {
        ["argv"] = new JsonArray(DotnetHost(), kernelDll, "-f", "{connection_file}"),
        ["display_name"] = "C# (US3L)",
        ["language"] = "csharp",
        // Interrupts come as interrupt_request on control; SIGINT works too.
        ["interrupt_mode"] = "message",
        ["metadata"] = new JsonObject { ["debugger"] = false },
    };

    /// <summary>The dotnet host running this process, so the kernel starts with the same runtime.</summary>
    private static string DotnetHost()
    {
        string? path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }

    private static string JupyterDataDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("jupyter", "--data-dir") { RedirectStandardOutput = true })
                ?? throw new InvalidOperationException("could not start jupyter");
            string dir = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && dir.Length > 0) return dir;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No jupyter on PATH: fall back to its documented default below.
        }
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share") : xdg, "jupyter");
    }
}
