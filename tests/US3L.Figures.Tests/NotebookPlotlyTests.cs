using US3L.Figures;

namespace US3L.Figures.Tests;

/// <summary>Tests that show figures "in a notebook" share the process-wide inclusion state.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookSessionCollection
{
    public const string Name = "notebook session";
}

[Collection(NotebookSessionCollection.Name)]
public class NotebookPlotlyTests
{
    /// <summary>The banner at the top of plotly.min.js: present once per copy of the script.</summary>
    internal const string PlotlyBanner = "* plotly.js v";

    [Fact]
    public void First_figure_carries_plotly_js_and_later_ones_only_draw()
    {
        NotebookPlotly.Reset();
        var fig = Figure.Line(new[] { 1.0, 2.0 });
        string first = NotebookPlotly.Html(fig), second = NotebookPlotly.Html(fig), third = NotebookPlotly.Html(fig);
        Assert.True(NotebookPlotly.Included);
        Assert.Equal(1, Json.Count(first + second + third, PlotlyBanner));
        Assert.Equal(1, Json.Count(first, PlotlyBanner));
        Assert.All([first, second, third], h => Assert.Equal(1, Json.Count(h, "Plotly.newPlot")));

        NotebookPlotly.Reset();
        Assert.Equal(1, Json.Count(NotebookPlotly.Html(fig), PlotlyBanner));
    }

    [Fact]
    public void ToHtml_includes_the_script_only_when_asked()
    {
        var fig = Figure.Line(new[] { 1.0 });
        Assert.Equal(1, Json.Count(fig.ToHtml(), PlotlyBanner));
        Assert.Equal(0, Json.Count(fig.ToHtml(includePlotlyJs: false), PlotlyBanner));
    }

    [Fact]
    public void Standalone_html_is_a_document_with_the_script_inlined()
    {
        string path = Path.Combine(Path.GetTempPath(), $"us3l-fig-{Guid.NewGuid():N}.html");
        try
        {
            Figure.Line(new[] { 1.0 }).WithTitle("a & b").SaveHtml(path);
            string html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Contains("<title>a &amp; b</title>", html);
            Assert.Equal(1, Json.Count(html, PlotlyBanner));
            Assert.DoesNotContain("src=\"http", html);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_plotly_js_named_by_the_environment_is_a_clear_error()
    {
        string? saved = Environment.GetEnvironmentVariable(PlotlyJs.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(PlotlyJs.EnvironmentVariable, "/nonexistent/plotly.min.js");
            var e = Assert.Throws<FileNotFoundException>(() => PlotlyJs.Locate());
            Assert.Contains(PlotlyJs.EnvironmentVariable, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PlotlyJs.EnvironmentVariable, saved);
        }
        Assert.EndsWith("plotly.min.js", PlotlyJs.Locate());
    }
}
