using System.Text.Json.Nodes;

namespace US3L.Figures;

// What a figure turns into: plotly JSON, HTML for a notebook or a file, PNG and SVG images.
public sealed partial record Figure
{
    /// <summary>plotly.js's figure schema: <c>{"data": [...traces], "layout": {...}}</c>.</summary>
    public string ToJson(bool indented = false) => FigureJson.Serialize(FigureJson.Build(this), indented);

    /// <summary>The figure as a JSON tree, to adjust plotly attributes this model does not cover.</summary>
    public JsonObject ToJsonNode() => FigureJson.Build(this);

    /// <summary>
    /// A div and a script that draws it with <c>Plotly.newPlot</c>; with
    /// <paramref name="includePlotlyJs"/>, plotly.js itself comes first. (Notebook output uses
    /// <see cref="NotebookPlotly.Html"/>, which includes the script once per notebook.)
    /// </summary>
    public string ToHtml(bool includePlotlyJs = true) => FigureHtml.Fragment(this, includePlotlyJs);

    /// <summary>A standalone page with plotly.js inlined (opens offline).</summary>
    public void SaveHtml(string path) => File.WriteAllText(path, FigureHtml.Document(this));

    /// <summary>A PNG drawn by headless Chromium; <paramref name="scale"/> 2 doubles the resolution.</summary>
    public void SavePng(string path, double scale = 1) => SavePngAsync(path, scale).GetAwaiter().GetResult();

    /// <summary>An SVG drawn by headless Chromium.</summary>
    public void SaveSvg(string path) => SaveSvgAsync(path).GetAwaiter().GetResult();

    public async Task SavePngAsync(string path, double scale = 1) =>
        await File.WriteAllBytesAsync(path, await FigureImage.RenderAsync(this, "png", scale));

    public async Task SaveSvgAsync(string path) =>
        await File.WriteAllBytesAsync(path, await FigureImage.RenderAsync(this, "svg", 1));
}
