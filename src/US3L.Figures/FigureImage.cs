using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace US3L.Figures;

/// <summary>Static images through <c>Plotly.toImage</c> in headless Chromium.</summary>
internal static class FigureImage
{
    private const int DefaultWidth = 900;

    public static async Task<byte[]> RenderAsync(Figure figure, string format, double scale)
    {
        if (scale <= 0) throw new ArgumentException($"Image scale must be positive, got {scale}.");
        string json = FigureJson.Serialize(FigureJson.Build(figure));
        string script = PlotlyJs.Source;
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await Chromium.LaunchAsync(playwright);
        IPage page = await browser.NewPageAsync();
        await page.SetContentAsync("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>");
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = script });
        var options = new JsonObject
        {
            ["format"] = format,
            ["width"] = figure.Width ?? DefaultWidth,
            ["height"] = FigureJson.DefaultHeight(figure),
            ["scale"] = scale,
        };
        string url = await page.EvaluateAsync<string>(
            "([figure, options]) => Plotly.toImage(JSON.parse(figure), JSON.parse(options))",
            new object[] { json, options.ToJsonString() });
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
}
