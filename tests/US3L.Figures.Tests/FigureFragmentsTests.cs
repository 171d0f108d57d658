using System.Buffers.Binary;
using System.Text.Json.Nodes;
using US3L.Figures;

namespace US3L.Figures.Tests;

/// <summary>Figures read back from the HTML they were shown as (what `notebook run --static-figures` does to outputs).</summary>
public class FigureFragmentsTests
{
    private static readonly double[] X = [0.25, 0.5, 1.0];

    [Fact]
    public void Figures_inside_other_markup_are_found_with_their_json_and_size()
    {
        var sized = Figure.Line(X, X, name: "a").WithTitle("sized").WithSize(500, 300);
        var filling = Figure.Bar(["x", "y"], new[] { 1.0, 2.0 }).WithTitle("</script> var figure = {");
        string html = "<div class=\"view\"><p>status</p>" + sized.ToHtml(includePlotlyJs: true) + "<p>between</p>" + filling.ToHtml(includePlotlyJs: false) + "</div>";

        var found = FigureFragments.Find(html);

        Assert.Equal(2, found.Count);
        Assert.True(JsonNode.DeepEquals(sized.ToJsonNode(), found[0].Json));
        Assert.True(JsonNode.DeepEquals(filling.ToJsonNode(), found[1].Json));
        Assert.Equal((500, 300), (found[0].Width, found[0].Height));
        // No width of its own: the image takes the default width and plotly's 450 px height.
        Assert.Equal((900, 450), (found[1].Width, found[1].Height));
        Assert.Equal("</script> var figure = {", found[1].Title);
        Assert.Equal("<div class=\"view\"><p>status</p><p>between</p></div>", FigureFragments.Remove(html, found));
    }

    [Fact]
    public void Plotly_js_alone_is_recognised_and_removed()
    {
        string html = Figure.Line(X).ToHtml(includePlotlyJs: true);
        string script = html[..(html.IndexOf("<div id=", StringComparison.Ordinal))];
        Assert.True(FigureFragments.CarriesPlotlyJs(script));
        Assert.Empty(FigureFragments.Find(script));
        Assert.Equal("<p>kept</p>", FigureFragments.RemovePlotlyJs(script + "<p>kept</p>"));
        Assert.False(FigureFragments.CarriesPlotlyJs(Figure.Line(X).ToHtml(includePlotlyJs: false)));
    }

    [Fact]
    public void Html_without_figures_has_none()
    {
        Assert.Empty(FigureFragments.Find("<b>a table</b><script type=\"text/javascript\">var figure = {};</script>"));
        Assert.False(FigureFragments.CarriesPlotlyJs("<b>a table</b>"));
    }

    [Fact]
    public void A_marked_figure_whose_json_is_damaged_is_an_error()
    {
        string html = Figure.Line(X).ToHtml(includePlotlyJs: false);
        string damaged = html.Replace("\"data\":[", "\"data\":[[", StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => FigureFragments.Find(damaged));
        Assert.Contains("is not valid JSON", e.Message);
    }

    [Fact]
    public async Task A_found_figure_renders_as_a_png_of_its_size()
    {
        var found = FigureFragments.Find(Figure.Line(X, X).WithSize(320, 240).ToHtml(includePlotlyJs: false)).Single();
        await using var renderer = await FigureImageRenderer.StartAsync();
        byte[] png = await renderer.PngAsync(found.Json, found.Width, found.Height);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        // IHDR: width and height, big-endian, at bytes 16..23.
        Assert.Equal(320, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(240, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
