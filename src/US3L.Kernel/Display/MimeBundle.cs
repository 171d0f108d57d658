using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Kernel.Display;

/// <summary>
/// Turns a value into a Jupyter mime bundle with .NET Interactive's <see cref="Formatter"/>:
/// text/plain always, and text/html (tables for records and collections) for everything that is
/// not a plain scalar. Users customise output with <c>Formatter.Register</c> as in Polyglot.
/// </summary>
internal static class MimeBundle
{
    public static JsonObject From(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        if (value is IMimeContent content) return Select(content.Bundle(), value, mimeTypes);
        var data = new JsonObject();
        if (mimeTypes is { Count: > 0 })
        {
            foreach (string mime in mimeTypes) data[mime] = Format(value, mime);
            return data;
        }
        data["text/plain"] = Format(value, PlainTextFormatter.MimeType);
        if (!IsScalar(value)) data["text/html"] = Format(value, HtmlFormatter.MimeType);
        return data;
    }

    /// <summary>The value's own bundle, or only the asked-for types of it.</summary>
    private static JsonObject Select(JsonObject bundle, object value, IReadOnlyList<string>? mimeTypes)
    {
        if (mimeTypes is not { Count: > 0 }) return bundle;
        var chosen = new JsonObject();
        foreach (string mime in mimeTypes) chosen[mime] = bundle[mime]?.DeepClone() ?? Format(value.ToString(), mime);
        return chosen;
    }

    private static string Format(object? value, string mimeType)
    {
        // A strings shown as text/html is markup the user wrote (display(html, "text/html")).
        if (value is string s && mimeType != PlainTextFormatter.MimeType) return s;
        try
        {
            return value.ToDisplayString(mimeType);
        }
        catch (Exception e)
        {
            // A broken user formatter must not lose the value.
            return $"{value} (formatter for {mimeType} failed: {e.Message})";
        }
    }

    private static bool IsScalar(object? value) =>
        value is null or string or char or bool or Enum or DateTime or DateTimeOffset or TimeSpan or Guid
        || value.GetType().IsPrimitive || value is decimal;
}
