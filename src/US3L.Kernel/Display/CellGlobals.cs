using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Html;

namespace US3L.Kernel.Display;

/// <summary>
/// Functions every cell can call without a prefix (the script's globals), with .NET Interactive's
/// names and behaviour, so notebooks written for Polyglot run here unchanged.
/// </summary>
public class CellGlobals
{
    /// <summary>Shows <paramref name="value"/> now; with mime types, shows it as those (e.g. "text/html").</summary>
    public DisplayHandle display(object? value, params string[] mimeTypes) => DisplayPublisher.Show(value, mimeTypes);

    /// <summary>Markup to show as HTML (not HTML-encoded); shown when displayed or when it is the cell's value.</summary>
    public IHtmlContent HTML(string html) => new HtmlString(html);

    /// <summary>Markdown to show as text/markdown; shown when displayed or when it is the cell's value.</summary>
    public MarkdownString Markdown(string markdown) => new(markdown);

    /// <summary>Runs JavaScript in the frontend now (shown as a script element, as .NET Interactive does).</summary>
    public void Javascript(string code) => DisplayPublisher.Show(new JavaScriptCode(code), []);

    /// <summary>Clears the cell's output; with <paramref name="wait"/>, when the next output arrives.</summary>
    public void ClearOutput(bool wait = false) =>
        OutputSink.Current?.Publish("clear_output", new JsonObject { ["wait"] = wait });
}

/// <summary><c>x.Display()</c> and <c>rows.DisplayTable()</c>, the Polyglot spellings.</summary>
public static class DisplayExtensions
{
    public static DisplayHandle Display(this object? value, params string[] mimeTypes) => DisplayPublisher.Show(value, mimeTypes);

    /// <summary>Shows a sequence of objects as a table: one row per item, one column per public property.</summary>
    public static DisplayHandle DisplayTable<T>(this IEnumerable<T> rows, params string[] mimeTypes) =>
        DisplayPublisher.Show(rows is null ? null : new Table<T>(rows), mimeTypes);
}
