using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Kernel;

/// <summary>
/// Writes the kernelspecs into Jupyter's data directory: <c>us3l-csharp</c> always, and the same
/// kernel under <c>.net-csharp</c>, the name Polyglot notebooks carry in their metadata, only where
/// no other kernel (.NET Interactive's, usually) is installed under that name: another kernel's
/// spec is never overwritten. The notebooks run in either kernel.
/// </summary>
internal static class KernelSpecInstaller
{
    public const string OwnName = "us3l-csharp";
    public const string PolyglotName = ".net-csharp";

    /// <summary>What <see cref="Install"/> did with one kernelspec name.</summary>
    public sealed record Outcome(string Name, string Dir, bool Written)
    {
        public override string ToString() => Written
            ? $"installed kernelspec {Name} in {Dir}"
            : $"kept the existing kernelspec {Name} in {Dir} (another kernel's); notebooks that name {Name} run there, choose {OwnName} to run them on this kernel";
    }

    /// <summary>
    /// Installs under <paramref name="dataDir"/>/kernels (default: <c>jupyter --data-dir</c>, and
    /// then a <c>.net-csharp</c> Jupyter finds anywhere else is kept too).
    /// </summary>
    public static IReadOnlyList<Outcome> Install(string? dataDir)
    {
        bool defaultDir = dataDir is null;
        dataDir ??= JupyterDataDir();
        string kernelDll = typeof(KernelSpecInstaller).Assembly.Location;
        var outcomes = new List<Outcome>();
        foreach (string name in (string[])[OwnName, PolyglotName])
        {
            string dir = Path.Combine(dataDir, "kernels", name);
            string? other = name == PolyglotName ? OtherKernelsSpec(dir, defaultDir) : null;
            if (other is not null)
            {
                outcomes.Add(new Outcome(name, other, Written: false));
                continue;
            }
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "kernel.json"), Spec(kernelDll).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            outcomes.Add(new Outcome(name, dir, Written: true));
        }
        return outcomes;
    }

    /// <summary>
    /// The folder of a <c>.net-csharp</c> spec of another kernel: in <paramref name="dir"/> itself,
    /// or (<paramref name="searchJupyter"/>) wherever <c>jupyter kernelspec list</c> finds one.
    /// A spec of this kernel (an earlier install) is not another's: it is rewritten.
    /// </summary>
    private static string? OtherKernelsSpec(string dir, bool searchJupyter)
    {
        var candidates = new List<string> { dir };
        if (searchJupyter && JupyterSpecDir(PolyglotName) is { } found) candidates.Add(found);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "kernel.json")) && !IsOurs(Path.Combine(d, "kernel.json")));
    }

    /// <summary>Whether the kernelspec starts this kernel (its argv names US3L.Kernel.dll).</summary>
    internal static bool IsOurs(string kernelJson)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(kernelJson))?["argv"] is JsonArray argv
                && argv.Any(a => a?.GetValueKind() == JsonValueKind.String && Path.GetFileName(a.GetValue<string>()) == "US3L.Kernel.dll");
        }
        catch (JsonException)
        {
            return false; // unreadable: someone else's file, left alone
        }
    }

    /// <summary>The resource folder of kernelspec <paramref name="name"/> as Jupyter resolves it; null without jupyter or the spec.</summary>
    private static string? JupyterSpecDir(string name)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("jupyter", ["kernelspec", "list", "--json"]) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new InvalidOperationException("could not start jupyter");
            string json = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) return null;
            return JsonNode.Parse(json)?["kernelspecs"]?[name]?["resource_dir"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException or InvalidOperationException)
        {
            return null; // no jupyter (or no answer): only the target folder is checked
        }
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
