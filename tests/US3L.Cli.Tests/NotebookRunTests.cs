using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>`us3l notebook run` end to end: the CLI process, nbclient and the C# kernel.</summary>
public sealed class NotebookRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("us3l-notebook-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ParametersNotebook() => TestNotebook.Write(TestNotebook.Create(
        TestNotebook.Markdown("# parameters"),
        TestNotebook.Code("var n = 2; var name = \"default\";\ndouble scale = 1.5;\nvar flag = false;", "parameters"),
        TestNotebook.Code("Console.WriteLine($\"n={n * 10} name={name} scale={scale * 2} flag={flag} marker={File.ReadAllText(\"marker.txt\")}\");")),
        Path.Combine(_dir, "params.ipynb"));

    [Fact]
    public void Parameters_are_injected_after_the_tagged_cell_and_outputs_are_written()
    {
        string notebook = ParametersNotebook();
        // The kernel runs in the notebook's folder, so a relative path there resolves.
        File.WriteAllText(Path.Combine(_dir, "marker.txt"), "here");
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "params.ipynb",
            "-p", "n=5", "-p", "name=hello world", "-p", "scale=0.25", "-p", "flag=true",
            "--output", "out/params.out.ipynb", "--html", "out/params.html", "--timeout", "120");
        Assert.True(code == 0, output);

        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "out", "params.out.ipynb")))!;
        var cells = executed["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        Assert.Equal("injected-parameters", cells[2]!["metadata"]!["tags"]![0]!.GetValue<string>());
        const string expected = "n=50 name=hello world scale=0.5 flag=True marker=here";
        Assert.Equal(expected + "\n", TestNotebook.StreamText(cells[3]));
        // The Polyglot kernelspec is kept, so the output opens in Polyglot too.
        Assert.Equal(".net-csharp", executed["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());

        string html = File.ReadAllText(Path.Combine(_dir, "out", "params.html"));
        Assert.Contains("<html", html);
        Assert.Contains(expected, html);
        Assert.Contains("wrote", output);
    }

    [Fact]
    public void Unknown_parameter_is_an_error_naming_the_known_ones()
    {
        ParametersNotebook();
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "params.ipynb", "-p", "epochs=3");
        Assert.Equal(1, code);
        Assert.Contains("error: Unknown parameter 'epochs'", output);
        Assert.Contains("n, name, scale, flag", output);
    }

    [Fact]
    public void Failing_cell_fails_the_run_and_names_the_cell()
    {
        TestNotebook.Write(TestNotebook.Create(
            TestNotebook.Code("var a = 1;"),
            TestNotebook.Code("void Fail() => throw new InvalidOperationException(\"width out of range\");\nFail();"),
            TestNotebook.Code("Console.WriteLine(\"never\");")),
            Path.Combine(_dir, "fails.ipynb"));
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "fails.ipynb", "--output", "fails.out.ipynb");
        Assert.Equal(1, code);
        Assert.Contains("cell 2 of 3 failed: InvalidOperationException: width out of range", output);
        Assert.Contains("Fail", output[output.IndexOf("traceback:", StringComparison.Ordinal)..]);

        // The executed notebook is still written, with the error in the failing cell and the rest not run.
        var cells = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "fails.out.ipynb")))!["cells"]!.AsArray();
        Assert.Contains(cells[1]!["outputs"]!.AsArray(), o => o!["output_type"]!.GetValue<string>() == "error");
        Assert.Empty(cells[2]!["outputs"]!.AsArray());
    }

    [Fact]
    public void A_cell_that_crashes_the_compiler_fails_instead_of_hanging()
    {
        // Roslyn 5.12 throws inside Emit on a top-level tuple deconstruction of a switch
        // expression; the kernel must still answer the execute request.
        TestNotebook.Write(TestNotebook.Create(
            TestNotebook.Code("var profile = \"smoke\";"),
            TestNotebook.Code("var (batch, repeats) = profile switch { \"smoke\" => (2, 1), _ => (8, 3) };\nbatch")),
            Path.Combine(_dir, "crash.ipynb"));
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "crash.ipynb", "--timeout", "120");
        Assert.Equal(1, code);
        Assert.Contains("cell 2 of 2 failed:", output);
        Assert.Contains("the kernel could not run this cell", output);
    }

    [Fact]
    public void Missing_notebook_is_a_clear_error()
    {
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "nowhere.ipynb");
        Assert.Equal(1, code);
        Assert.Contains("No notebook at", output);
    }
}
