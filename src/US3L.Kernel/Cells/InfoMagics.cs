using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using US3L.Kernel.Display;

namespace US3L.Kernel.Cells;

/// <summary>What <c>#!about</c>, <c>#!lsmagic</c>, <c>#!who</c> and <c>#!whos</c> show.</summary>
internal static class InfoMagics
{
    public static RawBundle Show(string magic, CellHost host) => magic switch
    {
        "#!about" => About(),
        "#!lsmagic" => Rows(["magic", "also", "what it does"], Magics.All.Select(m => new[] { m.Name, string.Join(" ", m.Aliases), m.Description })),
        "#!who" => Who(host),
        "#!whos" => Rows(["variable", "type", "value"], host.Variables.Select(v => new[] { v.Name, v.Type, v.Value })),
        _ => throw new InvalidOperationException($"{magic} shows nothing"),
    };

    private static RawBundle About()
    {
        string version = Assembly.GetExecutingAssembly().GetName().Version?.ToString() ?? "0.0";
        string text = $"C# (US3L) kernel {version}\n.NET {Environment.Version}, C# scripting (Roslyn), .NET Interactive's formatter\n"
            + "magic commands and display helpers as in .NET Interactive (#!lsmagic lists the magics)";
        string html = $"<div><b>C# (US3L) kernel</b> {version}<br/>.NET {Environment.Version}, C# scripting (Roslyn), .NET Interactive's formatter<br/>"
            + "magic commands and display helpers as in .NET Interactive (<code>#!lsmagic</code> lists the magics)</div>";
        return new RawBundle(new JsonObject { ["text/plain"] = text, ["text/html"] = html });
    }

    private static RawBundle Who(CellHost host)
    {
        string names = string.Join(" ", host.Variables.Select(v => v.Name));
        return new RawBundle(new JsonObject { ["text/plain"] = names.Length > 0 ? names : "(no variables yet)" });
    }

    private static RawBundle Rows(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        var widths = header.Select((h, i) => all.Select(r => r[i].Length).Append(h.Length).Max()).ToList();
        var text = new StringBuilder();
        foreach (var row in all.Prepend(header))
            text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        var html = new StringBuilder("<table><thead><tr>");
        foreach (string h in header) html.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in all)
            html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>")).Append("</tr>");
        html.Append("</tbody></table>");
        return new RawBundle(new JsonObject { ["text/plain"] = text.ToString().TrimEnd(), ["text/html"] = html.ToString() });
    }
}

/// <summary>A ready mime bundle.</summary>
internal sealed record RawBundle(JsonObject Data) : IMimeContent
{
    public JsonObject Bundle() => (JsonObject)Data.DeepClone();
}
