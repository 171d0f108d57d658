using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>
/// The notebooks run unchanged in both C# kernels: the kit's own (us3l-csharp) and .NET
/// Interactive (registered as .net-csharp, the name the notebooks carry). Every notebook runs on
/// the kit's kernel in <see cref="NotebookFolderTests"/>; here the quickstart and the cheapest
/// training notebook run on .NET Interactive, and the kit's notebook library is checked to find
/// each kernel, show an output and update it in place.
/// </summary>
[Collection(CpuHeavyCollection.Name)]
public sealed class NotebookKernelsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("us3l-notebook-kernels-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <remarks>
    /// .NET Interactive 1.0.712001 sends an update with a display_id other than the one of the output
    /// it updates (seen with jupyter_client, for a cell's own <c>display(x).Update(y)</c> as well), so
    /// Jupyter clients cannot apply it; there only the shown output and the call without error are checked.
    /// </remarks>
    [Theory]
    [InlineData("us3l-csharp", "US3L", true)]
    [InlineData(DotNetInteractiveKernel.Name, ".NET Interactive", false)]
    public void The_notebook_library_finds_the_kernel_and_updates_an_output_in_place(string kernel, string expectedHost, bool updateReachesJupyter)
    {
        string csx = Path.Combine(CliProcess.RepoRoot, "src", "US3L.Notebook", "bin", "Release", "net10.0", "us3l.csx");
        TestNotebook.Write(TestNotebook.Create(
            TestNotebook.Code($"#load \"{csx}\""),
            TestNotebook.Code("""
                var shown = US3L.Notebook.NotebookHost.Display(new US3L.Notebook.ProgressBar(2, "probe"));
                shown.Update(new US3L.Notebook.ProgressBar(2, "probe").Advance("updated in place"));
                Console.WriteLine($"host={US3L.Notebook.NotebookHost.Name} cancellable={US3L.Notebook.NotebookHost.CancellationToken.CanBeCanceled}");
                """)),
            Path.Combine(_dir, "host.ipynb"));

        var (code, output) = Run(kernel, _dir, "host.ipynb", "--output", "host.out.ipynb", "--timeout", "300");
        Assert.True(code == 0, output);

        var cells = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "host.out.ipynb")))!["cells"]!.AsArray();
        Assert.Equal($"host={expectedHost} cancellable=True\n", TestNotebook.StreamText(cells[1]));
        // nbclient applies update_display_data to the output it stored, so the bar shows the update
        // (as text/plain and text/html in the kit's kernel, as text/html alone in .NET Interactive).
        var shown = cells[1]!["outputs"]!.AsArray().Single(o => o!["output_type"]!.GetValue<string>() == "display_data")!;
        string data = shown["data"]!.ToJsonString();
        Assert.Contains(updateReachesJupyter ? "probe: 1/2" : "probe: 0/2", data);
        if (updateReachesJupyter) Assert.Contains("updated in place", data);
    }

    [Theory]
    [InlineData("00-quickstart.ipynb")]
    [InlineData("02-three-guidelines.ipynb")]
    public void Notebook_runs_on_dotnet_interactive_with_the_smoke_profile(string notebook)
    {
        var (code, output) = Run(DotNetInteractiveKernel.Name, CliProcess.RepoRoot,
            Path.Combine("notebooks", notebook), "-p", "profile=smoke", "--timeout", "1500");
        Assert.True(code == 0, $"{notebook} failed on .NET Interactive:\n{output}");
    }

    /// <summary>
    /// `us3l notebook run --kernel`, with .NET Interactive's kernelspec on JUPYTER_PATH and a run
    /// store of its own, so training notebooks train here rather than reuse the other kernel's runs.
    /// </summary>
    private (int ExitCode, string Output) Run(string kernel, string workingDirectory, params string[] args)
    {
        var start = CliProcess.StartInfo(workingDirectory, ["notebook", "run", .. args, "--kernel", kernel]);
        start.Environment["JUPYTER_PATH"] = DotNetInteractiveKernel.JupyterPath;
        start.Environment["US3L_NOTEBOOK_RUNS"] = Path.Combine(_dir, "runs");
        // A guard against a hung kernel, not a time check: 02's smoke profile takes about 40 s on an
        // idle 2-core machine and took 10 min on one shared with other work.
        return CliProcess.Run(start, TimeSpan.FromMinutes(25));
    }
}
