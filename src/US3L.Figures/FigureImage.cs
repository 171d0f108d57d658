namespace US3L.Figures;

/// <summary>Static images of one figure through <c>Plotly.toImage</c> in headless Chromium (<see cref="FigureImageRenderer"/>).</summary>
internal static class FigureImage
{
    /// <summary>The width of an image of a figure that fills its container (no width of its own).</summary>
    public const int DefaultWidth = 900;

    /// <summary>plotly's default height, for a layout that has none.</summary>
    public const int DefaultHeight = 450;

    public static async Task<byte[]> RenderAsync(Figure figure, string format, double scale)
    {
        if (scale <= 0) throw new ArgumentException($"Image scale must be positive, got {scale}.");
        await using var renderer = await FigureImageRenderer.StartAsync();
        return await renderer.RenderAsync(FigureJson.Build(figure), format, figure.Width ?? DefaultWidth, FigureJson.DefaultHeight(figure), scale);
    }
}
