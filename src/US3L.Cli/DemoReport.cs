using System.Globalization;
using System.Net;
using System.Text;
using US3L.Config;
using US3L.Figures;

namespace US3L.Cli;

/// <summary>The demo's report.html: accuracy versus width for US3L and the random network, the table and the protocol.</summary>
internal static class DemoReport
{
    public static void Write(string path, Recipe recipe, IReadOnlyList<DemoCommand.DemoRow> rows, string protocol)
    {
        Figure? figure = null;
        foreach (var (model, label) in new[] { ("us3l", "US3L"), ("random_init", "random init") })
        {
            var mine = rows.Where(r => r.Model == model).OrderBy(r => r.Width).ToList();
            var traces = Figure.Line(mine.Select(r => r.Width), mine.Select(r => r.KnnTop1), name: $"{label}, kNN")
                .And(Figure.Line(mine.Select(r => r.Width), mine.Select(r => r.LinearTop1), name: $"{label}, linear"));
            figure = figure is null ? traces : figure.And(traces);
        }
        figure = figure!.WithTitle("Fashion-MNIST top-1 versus width (one set of US3L weights)")
            .WithXAxis("width multiplier").WithYAxis("top-1 accuracy");

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>US3L demo</title>")
            .Append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}</style></head><body>")
            .Append("<h1>US3L demo</h1><p>").Append(WebUtility.HtmlEncode(recipe.Description))
            .Append("</p><p>recipe <code>").Append(WebUtility.HtmlEncode(recipe.Name)).Append("</code>, profile <code>")
            .Append(WebUtility.HtmlEncode(recipe.Profile ?? "base")).Append("</code></p>")
            .Append(figure.ToHtml(includePlotlyJs: true))
            .Append("<table><tr><th>model</th><th>width</th><th>MACs</th><th>kNN top-1</th><th>linear top-1</th></tr>");
        foreach (var r in rows)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{r.Model}</td><td>{r.Width:0.00}</td><td>{r.Macs / 1e6:0.0} M</td><td>{r.KnnTop1:0.0000}</td><td>{r.LinearTop1:0.0000}</td></tr>");
        html.Append("</table><p>").Append(WebUtility.HtmlEncode(protocol)).Append("</p></body></html>");
        File.WriteAllText(path, html.ToString());
    }
}
