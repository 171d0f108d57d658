using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>A figure found in saved HTML: its plotly JSON, the size an image of it takes, and where its fragment lies.</summary>
/// <param name="Json">plotly.js's <c>{data, layout}</c>, as the fragment draws it.</param>
/// <param name="Width">Pixels: the layout's width, or <see cref="FigureImage.DefaultWidth"/> for a figure that fills its container.</param>
/// <param name="Height">Pixels: the layout's height.</param>
/// <param name="Start">Index of the fragment's first character (its div) in the HTML searched.</param>
/// <param name="End">Index just past the fragment (its script element and the line break after it).</param>
public sealed record EmbeddedFigure(JsonObject Json, int Width, int Height, int Start, int End)
{
    /// <summary>The figure's title, or null.</summary>
    public string? Title => Json["layout"]?["title"]?["text"]?.GetValue<string>();
}

/// <summary>
/// Finds what <see cref="FigureHtml.Fragment"/> and <see cref="PlotlyJs"/> wrote into HTML (a
/// notebook output, possibly inside other markup), so a saved notebook can show each figure as an
/// image instead of a script: the figure's script element carries <see cref="FigureAttribute"/>
/// with its div's id, and the JSON follows <see cref="FigureVariable"/> inside it; plotly.js's own
/// script element carries <see cref="PlotlyJsAttribute"/>. Both script bodies cannot contain
/// "&lt;/script" (the JSON escapes &lt;, plotly.js's copy escapes the sequence), so the first one
/// after the opening tag ends the element.
/// </summary>
public static class FigureFragments
{
    internal const string FigureAttribute = "data-us3l-figure";
    internal const string PlotlyJsAttribute = "data-us3l-plotly-js";
    internal const string FigureVariable = "var figure = ";

    private const string ScriptOpen = "<script type=\"text/javascript\" ";
    private const string ScriptClose = "</script>";

    /// <summary>Every figure in <paramref name="html"/>, in order; a marked fragment that cannot be read is an error.</summary>
    public static IReadOnlyList<EmbeddedFigure> Find(string html)
    {
        var figures = new List<EmbeddedFigure>();
        string open = ScriptOpen + FigureAttribute + "=\"";
        for (int at = html.IndexOf(open, StringComparison.Ordinal); at >= 0; at = html.IndexOf(open, at + open.Length, StringComparison.Ordinal))
        {
            int idStart = at + open.Length;
            int idEnd = html.IndexOf('"', idStart);
            int bodyStart = html.IndexOf('>', at) + 1;
            int close = html.IndexOf(ScriptClose, bodyStart, StringComparison.Ordinal);
            if (idEnd < 0 || bodyStart <= 0 || close < 0) throw Unreadable("its script element is not closed");
            string id = html[idStart..idEnd];
            string body = html[bodyStart..close];
            int div = html.LastIndexOf($"<div id=\"{id}\"", at, StringComparison.Ordinal);
            int end = close + ScriptClose.Length;
            if (end < html.Length && html[end] == '\n') end++;
            var json = ReadFigureJson(body, id);
            var layout = json["layout"] as JsonObject;
            int width = Pixels(layout?["width"]) ?? FigureImage.DefaultWidth;
            int height = Pixels(layout?["height"]) ?? FigureImage.DefaultHeight;
            figures.Add(new EmbeddedFigure(json, width, height, div >= 0 ? div : at, end));
        }
        return figures;
    }

    /// <summary><paramref name="html"/> without the given fragments and without any copy of plotly.js.</summary>
    public static string Remove(string html, IReadOnlyList<EmbeddedFigure> figures)
    {
        var kept = new StringBuilder(html.Length);
        int from = 0;
        foreach (var figure in figures.OrderBy(f => f.Start))
        {
            if (figure.Start < from) throw new ArgumentException("The figures overlap: they were not found in this HTML.", nameof(figures));
            kept.Append(html, from, figure.Start - from);
            from = figure.End;
        }
        kept.Append(html, from, html.Length - from);
        return RemovePlotlyJs(kept.ToString());
    }

    /// <summary>Whether <paramref name="html"/> carries plotly.js itself.</summary>
    public static bool CarriesPlotlyJs(string html) => html.Contains(ScriptOpen + PlotlyJsAttribute, StringComparison.Ordinal);

    /// <summary><paramref name="html"/> without its copies of plotly.js.</summary>
    public static string RemovePlotlyJs(string html)
    {
        string open = ScriptOpen + PlotlyJsAttribute;
        for (int at = html.IndexOf(open, StringComparison.Ordinal); at >= 0; at = html.IndexOf(open, at, StringComparison.Ordinal))
        {
            int close = html.IndexOf(ScriptClose, at, StringComparison.Ordinal);
            if (close < 0) throw Unreadable("the plotly.js script element is not closed");
            int end = close + ScriptClose.Length;
            if (end < html.Length && html[end] == '\n') end++;
            html = html.Remove(at, end - at);
        }
        return html;
    }

    /// <summary>The single JSON value after <see cref="FigureVariable"/> (the script goes on after it).</summary>
    private static JsonObject ReadFigureJson(string script, string id)
    {
        int start = script.IndexOf(FigureVariable, StringComparison.Ordinal);
        if (start < 0) throw Unreadable($"the script of {id} does not assign '{FigureVariable.Trim()}'");
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(script[(start + FigureVariable.Length)..]),
            new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            return JsonNode.Parse(ref reader) as JsonObject ?? throw Unreadable($"the figure of {id} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Unreadable($"the figure of {id} is not valid JSON ({e.Message})");
        }
    }

    private static int? Pixels(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out double d) && d > 0 ? (int)Math.Round(d) : null;

    private static InvalidDataException Unreadable(string why) =>
        new($"A figure in this HTML cannot be read back: {why}.");
}
