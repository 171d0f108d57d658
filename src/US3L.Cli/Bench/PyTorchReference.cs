using System.Diagnostics;
using System.Text.Json.Nodes;

namespace US3L.Cli.Bench;

/// <summary>
/// Runs a one-shot benchmark's PyTorch side (a script in Bench/) with Debian's python, on the same
/// libtorch (the interleaved benchmarks keep a <see cref="PyTorchWorker"/> instead);
/// <c>US3L_PYTHON</c> names another interpreter (a CUDA PyTorch, for GPU comparisons).
/// </summary>
internal static class PyTorchReference
{
    private const string DebianPython = "/usr/bin/python3";

    private static string Python => Environment.GetEnvironmentVariable("US3L_PYTHON") is { Length: > 0 } custom ? custom : DebianPython;

    /// <summary>
    /// How to run the script <paramref name="scriptName"/> of Bench/ with its arguments, output
    /// redirected; null when the script or Debian's python is missing.
    /// </summary>
    public static ProcessStartInfo? StartInfo(string scriptName, IEnumerable<string> arguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Bench", scriptName);
        if (!File.Exists(script) || (Python == DebianPython && !File.Exists(DebianPython))) return null;
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>
    /// Every JSON line the script prints; null when Debian's python or its torch is not installed.
    /// Any other failure is an error naming the script's last line of stderr.
    /// </summary>
    public static List<JsonNode>? JsonLines(string scriptName, IEnumerable<string> arguments)
    {
        if (StartInfo(scriptName, arguments) is not { } start) return null;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            if (stderr.Result.Contains("No module named 'torch'", StringComparison.Ordinal)) return null;
            throw new InvalidOperationException($"the PyTorch benchmark {scriptName} failed: {stderr.Result.Trim().Split('\n').Last()}");
        }
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonNode.Parse(line)!).ToList();
    }
}
