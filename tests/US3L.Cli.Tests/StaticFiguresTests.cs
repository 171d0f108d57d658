using System.Diagnostics;
using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>
/// `us3l notebook run --static-figures`: the written notebook shows its figures as PNG images drawn
/// at the figures' sizes, carries no plotly.js, keeps every other output, and is valid nbformat 4
/// (checked, and the images decoded, by Debian's python with nbformat and Pillow).
/// </summary>
[Collection(CpuHeavyCollection.Name)]
public sealed class StaticFiguresTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private const string PlotlyBanner = "* plotly.js v";

    /// <summary>Validates the notebook, decodes every image/png; prints "cell output width height" per image.</summary>
    private const string CheckNotebook = """
        import base64, io, sys
        import nbformat
        from PIL import Image
        nb = nbformat.read(sys.argv[1], as_version=4)
        nbformat.validate(nb)
        for c, cell in enumerate(nb.cells):
            for o, out in enumerate(cell.get("outputs", [])):
                png = out.get("data", {}).get("image/png")
                if png:
                    image = Image.open(io.BytesIO(base64.b64decode(png)))
                    image.load()
                    print(c, o, image.format, image.width, image.height)
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("us3l-static-figures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Figures_become_png_outputs_and_plotly_js_is_gone()
    {
        string csx = Path.Combine(CliProcess.RepoRoot, "src", "US3L.Notebook", "bin", "Release", "net10.0", "us3l.csx");
        TestNotebook.Write(TestNotebook.Create(
            TestNotebook.Code($"#load \"{csx}\"\nusing US3L.Figures;"),
            // The cell's value: the first figure of the kernel, which carries plotly.js.
            TestNotebook.Code("Figure.Line(new[] { 0.25, 0.5, 1.0 }, new[] { 1.0, 2.0, 3.0 }, name: \"a\").WithTitle(\"first\").WithSize(500, 300)"),
            TestNotebook.Code("""
                display(Figure.Bar(new[] { "x", "y" }, new[] { 1.0, 2.0 }).WithTitle("bars").WithSize(400, 250));
                display("<b>not a figure</b>", "text/html");
                """),
            // As a training view does it: plotly.js in an output of its own, then markup with a figure updated in place.
            TestNotebook.Code("""
                NotebookPlotly.Reset();
                display(NotebookPlotly.ScriptHtml(), "text/html");
                var loss = Figure.Line(new[] { 3.0, 2.0, 1.5 }).WithTitle("loss").WithSize(600, 200);
                var shown = display("<div class=\"view\"><p>starting</p></div>", "text/html");
                shown.Update("<div class=\"view\"><p>step 3 of 3</p>" + loss.ToHtml(includePlotlyJs: false) + "</div>", "text/html");
                """)),
            Path.Combine(_dir, "figures.ipynb"));

        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "figures.ipynb",
            "--output", "figures.out.ipynb", "--html", "figures.html", "--timeout", "300", "--static-figures");
        Assert.True(code == 0, output);
        Assert.Contains("static figures: 3 figures drawn as PNG", output);
        Assert.Contains("1 outputs that only carried plotly.js dropped", output);

        string written = File.ReadAllText(Path.Combine(_dir, "figures.out.ipynb"));
        Assert.DoesNotContain(PlotlyBanner, written);
        Assert.DoesNotContain("Plotly.newPlot", written);
        var cells = JsonNode.Parse(written)!["cells"]!.AsArray();

        // The cell's value keeps its text and gets the image instead of the HTML.
        var value = Assert.Single(cells[1]!["outputs"]!.AsArray())!;
        Assert.Equal("execute_result", value["output_type"]!.GetValue<string>());
        Assert.Equal(["image/png", "text/plain"], MimeTypes(value));
        Assert.StartsWith("Figure(\"first\"", Text(value["data"]!["text/plain"]!));

        // A displayed figure becomes an image; HTML that holds no figure is left as it was.
        var displayed = cells[2]!["outputs"]!.AsArray();
        Assert.Equal(2, displayed.Count);
        Assert.Equal(["image/png", "text/plain"], MimeTypes(displayed[0]!));
        Assert.Equal("<b>not a figure</b>", Text(displayed[1]!["data"]!["text/html"]!));

        // The plotly.js output is gone; the updated markup stays, without its figure, and the image follows it.
        var view = cells[3]!["outputs"]!.AsArray();
        Assert.Equal(2, view.Count);
        Assert.Equal("<div class=\"view\"><p>step 3 of 3</p></div>", Text(view[0]!["data"]!["text/html"]!));
        Assert.Equal(["image/png", "text/plain"], MimeTypes(view[1]!));
        Assert.Equal("Figure(\"loss\")", Text(view[1]!["data"]!["text/plain"]!));

        // Valid nbformat 4, and each PNG decodes at its figure's size.
        Assert.Equal(["1 0 PNG 500 300", "2 0 PNG 400 250", "3 1 PNG 600 200"], CheckWithPython(Path.Combine(_dir, "figures.out.ipynb")));

        // The HTML page is rendered from the same notebook: images, no script.
        string html = File.ReadAllText(Path.Combine(_dir, "figures.html"));
        Assert.Equal(3, CountOf(html, "<img src=\"data:image/png;base64,"));
        Assert.DoesNotContain(PlotlyBanner, html);
        Assert.DoesNotContain("Plotly.newPlot", html);
    }

    [Fact]
    public void Static_figures_without_an_output_is_an_error()
    {
        TestNotebook.Write(TestNotebook.Create(TestNotebook.Code("1 + 1")), Path.Combine(_dir, "plain.ipynb"));
        var (code, output) = CliProcess.Run(_dir, "notebook", "run", "plain.ipynb", "--static-figures");
        Assert.Equal(1, code);
        Assert.Contains("--static-figures changes the notebook that is written: give --output or --html too.", output);
    }

    private static string[] MimeTypes(JsonNode output) => output["data"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();

    private static string Text(JsonNode text) =>
        text is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : text.GetValue<string>();

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string[] CheckWithPython(string notebook)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; install python3-nbformat and python3-pil (./build.sh setup).");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(CheckNotebook);
        start.ArgumentList.Add(notebook);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"the written notebook does not pass nbformat's validation or its images do not decode:\n{stderr}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
