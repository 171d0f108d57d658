using System.Diagnostics;

namespace US3L.Tests.Cli;

/// <summary>Runs the built us3l tool (src/US3L.Cli, same configuration as the tests) as a process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static readonly Lazy<string> Dll = new(() =>
    {
        // tests/US3L.Tests/bin/<Configuration>/<tfm>/ → src/US3L.Cli/bin/<Configuration>/<tfm>/us3l.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration) = (here.Name, here.Parent!.Name);
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "US3L.Notebooks.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"No US3L.Notebooks.sln above {AppContext.BaseDirectory}.");
        var dll = Path.Combine(root.FullName, "src", "US3L.Cli", "bin", configuration, tfm, "us3l.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built; run ./build.sh build.");
    });

    public static Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll.Value);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout, stderr.Result);
    }
}
