using System.Diagnostics;
using System.Text.Json.Nodes;
using US3L.Figures;

namespace US3L.Cli.Notebooks;

/// <summary>What <see cref="StaticFigures.ApplyAsync"/> changed.</summary>
internal sealed record StaticFiguresReport(int Figures, int ScriptOutputsDropped, TimeSpan Elapsed);

/// <summary>
/// Turns the figures of an executed notebook into PNG images (<c>us3l notebook run --static-figures</c>),
/// so the saved notebook shows them where no script runs (GitHub, nbviewer, an untrusted notebook
/// in Jupyter) and does not carry plotly.js (about 5 MB).
/// <para>
/// A figure is found by the marks <see cref="FigureFragments"/> knows in an output's text/html; it is
/// drawn by <c>Plotly.toImage</c> in headless Chromium at the figure's own size. Jupyter shows one
/// representation of an output, text/html before image/png, so an output whose HTML was only the
/// figure (and plotly.js) loses its text/html and gets the image/png, keeping its text/plain; an
/// output with more in its HTML (a training view: progress bar, status line and loss chart) keeps
/// that HTML without the figure, and the image follows as an output of its own, as does every
/// further figure of one output. An output that only carried plotly.js is dropped. Every other
/// output is left as it is.
/// </para>
/// </summary>
internal static class StaticFigures
{
    public static async Task<StaticFiguresReport> ApplyAsync(JsonObject notebook)
    {
        var clock = Stopwatch.StartNew();
        FigureImageRenderer? renderer = null;
        int figures = 0, dropped = 0;
        try
        {
            foreach (var cell in (notebook["cells"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (cell["outputs"] is not JsonArray outputs) continue;
                var rewritten = new List<JsonObject>();
                foreach (var output in outputs.OfType<JsonObject>().ToList())
                {
                    if (output["data"] is not JsonObject data || data["text/html"] is not { } htmlNode)
                    {
                        rewritten.Add(output);
                        continue;
                    }
                    string html = MultilineText(htmlNode);
                    var found = FigureFragments.Find(html);
                    if (found.Count == 0)
                    {
                        if (!FigureFragments.CarriesPlotlyJs(html)) rewritten.Add(output);
                        else if (FigureFragments.RemovePlotlyJs(html) is var rest && string.IsNullOrWhiteSpace(rest)) dropped++;
                        else
                        {
                            data["text/html"] = rest;
                            rewritten.Add(output);
                        }
                        continue;
                    }

                    renderer ??= await FigureImageRenderer.StartAsync();
                    var images = new List<string>();
                    foreach (var figure in found)
                        images.Add(Convert.ToBase64String(await renderer.PngAsync(figure.Json, figure.Width, figure.Height)));
                    figures += found.Count;

                    string remaining = FigureFragments.Remove(html, found);
                    int next = 0;
                    if (string.IsNullOrWhiteSpace(remaining))
                    {
                        data.Remove("text/html");
                        data["image/png"] = images[next++];
                    }
                    else data["text/html"] = remaining;
                    rewritten.Add(output);
                    for (; next < found.Count; next++) rewritten.Add(ImageOutput(images[next], found[next]));
                }
                outputs.Clear();
                foreach (var output in rewritten)
                {
                    output.Parent?.AsArray().Remove(output);
                    outputs.Add(output);
                }
            }
        }
        finally
        {
            if (renderer is not null) await renderer.DisposeAsync();
        }
        return new StaticFiguresReport(figures, dropped, clock.Elapsed);
    }

    /// <summary>A figure split off an output: the image, and a line of text for viewers that show only text.</summary>
    private static JsonObject ImageOutput(string png, EmbeddedFigure figure) => new()
    {
        ["output_type"] = "display_data",
        ["data"] = new JsonObject
        {
            ["image/png"] = png,
            ["text/plain"] = figure.Title is { } title ? $"Figure(\"{title}\")" : "Figure",
        },
        ["metadata"] = new JsonObject(),
    };

    /// <summary>nbformat stores text as a string or as a list of lines.</summary>
    private static string MultilineText(JsonNode node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        _ => node.GetValue<string>(),
    };
}
