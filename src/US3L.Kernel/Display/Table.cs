using System.Collections;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Kernel.Display;

/// <summary>
/// What <c>rows.DisplayTable()</c> shows: one row per item and one column per public property or
/// field of the item type (per key, for dictionaries), cells in the formatter's plain text.
/// </summary>
internal sealed class Table<T>(IEnumerable<T> rows) : IMimeContent
{
    public JsonObject Bundle()
    {
        var items = rows.ToList();
        var columns = Columns(items);
        var cells = items.Select(item => columns.Select(c => Cell(c.Value(item))).ToList()).ToList();

        var html = new StringBuilder("<table><thead><tr>");
        foreach (var column in columns) html.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in cells)
        {
            html.Append("<tr>");
            foreach (string cell in row) html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");

        var widths = columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Name.Length).Max()).ToList();
        var text = new StringBuilder();
        text.AppendLine(string.Join(" | ", columns.Select((c, i) => c.Name.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (var row in cells) text.AppendLine(string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return new JsonObject { ["text/html"] = html.ToString(), ["text/plain"] = text.ToString().TrimEnd() };
    }

    private sealed record Column(string Name, Func<object?, object?> Value);

    private static List<Column> Columns(List<T> items)
    {
        if (items.FirstOrDefault(i => i is IDictionary) is IDictionary)
        {
            var keys = items.OfType<IDictionary>().SelectMany(d => d.Keys.Cast<object>()).Distinct().ToList();
            return keys.Select(k => new Column(k.ToString() ?? "", item => item is IDictionary d && d.Contains(k) ? d[k] : null)).ToList();
        }
        Type type = typeof(T) == typeof(object) && items.FirstOrDefault(i => i is not null) is { } first ? first.GetType() : typeof(T);
        if (IsScalar(type)) return [new Column("value", item => item)];
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => new Column(p.Name, item => item is null ? null : p.GetValue(item)))
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => new Column(f.Name, item => item is null ? null : f.GetValue(item))))
            .ToList();
        return members.Count > 0 ? members : [new Column("value", item => item)];
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid);

    private static string Cell(object? value)
    {
        try
        {
            return value.ToDisplayString(PlainTextFormatter.MimeType);
        }
        catch (Exception e)
        {
            return $"{value} (formatter failed: {e.Message})";
        }
    }
}
