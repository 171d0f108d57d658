using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>
/// .NET Interactive (the dotnet tool that ./build.sh setup installs into build/tools) registered
/// as the Jupyter kernel <c>.net-csharp</c>, as its own installer would, in a private Jupyter
/// folder: the user's kernelspecs are neither read nor touched.
/// </summary>
internal static class DotNetInteractiveKernel
{
    public const string Name = ".net-csharp";
    private static readonly Lazy<string> Path_ = new(Install);

    /// <summary>The folder to put on JUPYTER_PATH.</summary>
    public static string JupyterPath => Path_.Value;

    private static string Install()
    {
        string tool = Path.Combine(CliProcess.RepoRoot, "build", "tools", "dotnet-interactive");
        if (!File.Exists(tool))
            throw new FileNotFoundException($".NET Interactive is not installed at {tool}; run ./build.sh setup.");
        string dir = Directory.CreateTempSubdirectory("us3l-dotnet-interactive-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        string spec = Path.Combine(dir, "kernels", Name);
        Directory.CreateDirectory(spec);
        // What `dotnet interactive jupyter install` writes, with the tool's own path for `dotnet interactive`.
        var kernel = new JsonObject
        {
            ["argv"] = new JsonArray(tool, "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"),
            ["display_name"] = ".NET (C#)",
            ["language"] = "C#",
            ["env"] = new JsonObject { ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
        };
        File.WriteAllText(Path.Combine(spec, "kernel.json"), kernel.ToJsonString());
        return dir;
    }
}
