using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace US3L.Figures;

/// <summary>
/// A headless Chromium page with plotly.js loaded, drawing figures to images through
/// <c>Plotly.toImage</c>. One renderer draws any number of figures: starting the browser and
/// loading plotly.js (seconds) happen once. Dispose it to close the browser.
/// </summary>
public sealed class FigureImageRenderer : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IPage _page;

    private FigureImageRenderer(IPlaywright playwright, IBrowser browser, IPage page) =>
        (_playwright, _browser, _page) = (playwright, browser, page);

    /// <summary>Starts the browser (<see cref="Chromium"/>) on a blank page that loads plotly.js (<see cref="PlotlyJs"/>) from its file.</summary>
    public static async Task<FigureImageRenderer> StartAsync()
    {
        string script = PlotlyJs.Locate();
        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser? browser = null;
        // The page loads plotly.js from its file: sent as page content through Playwright's driver,
        // the 5 MB script took three times as long (about 5 s against 2 s on a busy 2-core machine).
        string page = Path.Combine(Path.GetTempPath(), $"us3l-figure-renderer-{Guid.NewGuid():N}.html");
        try
        {
            await File.WriteAllTextAsync(page,
                $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script src=\"{new Uri(script).AbsoluteUri}\"></script></head><body></body></html>");
            browser = await Chromium.LaunchAsync(playwright);
            IPage tab = await browser.NewPageAsync();
            await tab.GotoAsync(new Uri(page).AbsoluteUri);
            if (!await tab.EvaluateAsync<bool>("() => typeof Plotly !== 'undefined' && typeof Plotly.toImage === 'function'"))
                throw new InvalidOperationException($"plotly.js did not load in headless Chromium from {script}.");
            return new FigureImageRenderer(playwright, browser, tab);
        }
        catch
        {
            if (browser is not null) await browser.DisposeAsync();
            playwright.Dispose();
            throw;
        }
        finally
        {
            File.Delete(page);
        }
    }

    /// <summary>A PNG of plotly JSON <paramref name="figure"/>, <paramref name="width"/> × <paramref name="height"/> pixels times <paramref name="scale"/>.</summary>
    public Task<byte[]> PngAsync(JsonObject figure, int width, int height, double scale = 1) =>
        RenderAsync(figure, "png", width, height, scale);

    /// <summary>An image of plotly JSON <paramref name="figure"/> in <paramref name="format"/> ("png" or "svg").</summary>
    public async Task<byte[]> RenderAsync(JsonObject figure, string format, int width, int height, double scale)
    {
        if (scale <= 0) throw new ArgumentException($"Image scale must be positive, got {scale}.");
        if (width <= 0 || height <= 0) throw new ArgumentException($"Image size must be positive, got {width} x {height}.");
        var options = new JsonObject { ["format"] = format, ["width"] = width, ["height"] = height, ["scale"] = scale };
        string url = await _page.EvaluateAsync<string>(
            "([figure, options]) => Plotly.toImage(JSON.parse(figure), JSON.parse(options))",
            new object[] { FigureJson.Serialize(figure), options.ToJsonString() });
        return Decode(url, format);
    }

    /// <summary>toImage answers a data URL: base64 for PNG, percent-encoded text for SVG.</summary>
    private static byte[] Decode(string url, string format)
    {
        int comma = url.IndexOf(',');
        if (!url.StartsWith("data:", StringComparison.Ordinal) || comma < 0)
            throw new InvalidOperationException($"Plotly.toImage returned no data URL for {format} (got '{url[..Math.Min(40, url.Length)]}').");
        string header = url[..comma], body = url[(comma + 1)..];
        return header.EndsWith(";base64", StringComparison.Ordinal)
            ? Convert.FromBase64String(body)
            : System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(body));
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
