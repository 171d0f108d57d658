using System.Globalization;
using System.Net;

namespace US3L.Figures;

/// <summary>
/// The HTML that draws a figure: a div and a script calling <c>Plotly.newPlot</c>. The script is
/// marked with the div's id (<see cref="FigureFragments"/> finds figures in saved outputs by it).
/// </summary>
internal static class FigureHtml
{
    public static string Fragment(Figure figure, bool includePlotlyJs)
    {
        string id = "us3l-figure-" + Guid.NewGuid().ToString("N");
        string json = FigureJson.Serialize(FigureJson.Build(figure));
        string width = figure.Width is int w ? w.ToString(CultureInfo.InvariantCulture) + "px" : "100%";
        int height = FigureJson.DefaultHeight(figure);
        return (includePlotlyJs ? PlotlyJs.ScriptTag() : "") + $$"""
            <div id="{{id}}" class="us3l-figure" style="width:{{width}};height:{{height}}px;"></div>
            <script type="text/javascript" {{FigureFragments.FigureAttribute}}="{{id}}">
            (function () {
              var el = document.getElementById("{{id}}");
              if (typeof Plotly === "undefined") {
                el.textContent = "plotly.js is not loaded on this page: the output that carried it was cleared. " +
                  "Call US3L.Figures.NotebookPlotly.Reset() and show the figure again.";
                return;
              }
              {{FigureFragments.FigureVariable}}{{json}};
              Plotly.newPlot(el, figure.data, figure.layout, {responsive: true, displaylogo: false});
            })();
            </script>
            """;
    }

    /// <summary>A complete page with plotly.js inlined: opens offline, anywhere.</summary>
    public static string Document(Figure figure) => $"""
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <title>{WebUtility.HtmlEncode(figure.Title ?? "Figure")}</title>
        </head>
        <body>
        {Fragment(figure, includePlotlyJs: true)}
        </body>
        </html>
        """;
}
