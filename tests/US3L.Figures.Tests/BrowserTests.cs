using System.Text;
using Microsoft.Playwright;
using US3L.Figures;

namespace US3L.Figures.Tests;

/// <summary>
/// Figures drawn by a real browser: exported HTML opened in headless Chromium (offline), and
/// PNG/SVG export. Each test starts its own browser.
/// </summary>
[Collection(NotebookSessionCollection.Name)]
public class BrowserTests
{
    private static readonly double[] X = [0.25, 0.5, 0.75, 1.0];

    private static Figure Curves() =>
        Figure.LineWithBand(X, new[] { 0.6, 0.7, 0.75, 0.8 }, new[] { 0.55, 0.65, 0.7, 0.75 }, new[] { 0.65, 0.75, 0.8, 0.85 }, name: "knn")
            .And(Figure.Line(X, new[] { 0.5, 0.6, 0.7, 0.72 }, name: "linear", markers: true))
            .WithTitle("Accuracy vs width").WithYAxis("top-1", log: true);

    [Fact]
    public async Task Exported_html_draws_every_trace_offline()
    {
        string path = TempFile("html");
        try
        {
            Curves().SaveHtml(path);
            await using var browser = await Browser.StartAsync();
            IPage page = await browser.OpenAsync(path);
            int[] counts = await TraceCounts(page);
            Assert.Equal(new[] { 4 }, counts);
            // Drawn, not just parsed: 4 scatter traces, one with the band's fill.
            Assert.Equal(4, await page.Locator(".scatterlayer .trace").CountAsync());
            Assert.Equal(1, await page.Locator(".scatterlayer .trace .fills path").CountAsync());
            Assert.Equal("Accuracy vs width", await page.Locator(".gtitle").TextContentAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Notebook_page_with_plotly_included_once_draws_both_figures_and_a_grid()
    {
        NotebookPlotly.Reset();
        var bars = Figure.Bar(["knn", "linear"], new[] { 0.8, 0.9 }, errors: new[] { 0.01, 0.02 });
        var grid = Figure.Grid([Figure.Histogram(new[] { 1.0, 2, 2, 3 }), Figure.Heatmap(new double[,] { { 1, 2 }, { 3, 4 } })], columns: 2);
        string cells = NotebookPlotly.Html(Curves()) + NotebookPlotly.Html(bars) + NotebookPlotly.Html(grid);
        Assert.Equal(1, Json.Count(cells, NotebookPlotlyTests.PlotlyBanner));
        string path = TempFile("html");
        try
        {
            File.WriteAllText(path, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{cells}</body></html>");
            await using var browser = await Browser.StartAsync();
            IPage page = await browser.OpenAsync(path);
            int[] counts = await TraceCounts(page);
            Assert.Equal(new[] { 4, 1, 2 }, counts);
            // The bar chart and the histogram (plotly draws histograms as bars), and the heatmap's image.
            Assert.Equal(2, await page.Locator(".barlayer .trace").CountAsync());
            Assert.Equal(1, await page.Locator(".heatmaplayer image").CountAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Png_export_writes_a_png()
    {
        string path = TempFile("png");
        try
        {
            Curves().WithSize(500, 300).SavePng(path);
            byte[] png = File.ReadAllBytes(path);
            Assert.True(png.Length > 1000, $"a drawn figure is more than {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            // IHDR: width and height, big-endian, at bytes 16..23.
            Assert.Equal(500, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(300, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Svg_export_writes_an_svg_document()
    {
        string path = TempFile("svg");
        try
        {
            Curves().SaveSvg(path);
            var svg = System.Xml.Linq.XDocument.Load(path);
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains("Accuracy vs width", svg.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Number of traces plotly drew into each figure of the page, in page order.</summary>
    private static async Task<int[]> TraceCounts(IPage page) =>
        await page.EvaluateAsync<int[]>(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => el.data.length)");

    private static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), $"us3l-figure-{Guid.NewGuid():N}.{extension}");

    /// <summary>A headless Chromium with no network: pages are files, plotly.js is inlined.</summary>
    private sealed class Browser : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private Browser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

        public static async Task<Browser> StartAsync()
        {
            IPlaywright playwright = await Playwright.CreateAsync();
            return new Browser(playwright, await Chromium.LaunchAsync(playwright));
        }

        public async Task<IPage> OpenAsync(string path)
        {
            IPage page = await _browser.NewPageAsync();
            var errors = new StringBuilder();
            page.PageError += (_, e) => errors.AppendLine(e);
            // Anything but the file itself would mean the page is not self-contained.
            await page.RouteAsync(url => !url.StartsWith("file:", StringComparison.Ordinal), route => route.AbortAsync());
            await page.GotoAsync(new Uri(path).AbsoluteUri);
            await page.WaitForFunctionAsync(
                "() => { const p = document.querySelectorAll('.js-plotly-plot'); return p.length > 0 && Array.from(p).every(el => el._fullLayout); }");
            Assert.True(errors.Length == 0, $"page errors: {errors}");
            return page;
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
