using Microsoft.DotNet.Interactive.Formatting;
using US3L.Figures;

namespace US3L.Figures.Tests;

/// <summary>What the kernel shows for a figure: it formats values with this formatter.</summary>
[Collection(NotebookSessionCollection.Name)]
public class FigureFormatterTests
{
    [Fact]
    public void Figure_formats_as_plotly_html_once_per_session_and_as_a_short_text()
    {
        NotebookPlotly.Reset();
        var fig = Figure.Line(new[] { 1.0, 2.0 }, name: "a").WithTitle("loss");
        string first = fig.ToDisplayString(HtmlFormatter.MimeType);
        string second = fig.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("Plotly.newPlot", first);
        Assert.Contains("Plotly.newPlot", second);
        Assert.Equal(1, Json.Count(first + second, NotebookPlotlyTests.PlotlyBanner));
        Assert.Equal("Figure(\"loss\", 1 trace: line a)", fig.ToDisplayString(PlainTextFormatter.MimeType));
    }
}
