using System.Diagnostics;

namespace US3L.Torch.Tests;

/// <summary>Runs a script of tests/reference with Debian's /usr/bin/python3 (which has torch and numpy).</summary>
public static class PythonReference
{
    public const string Python = "/usr/bin/python3";

    public static string Run(string script, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; install python3-torch and python3-numpy (./build.sh setup).");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reference", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}): {stderr}");
        return stdout.Result;
    }
}
