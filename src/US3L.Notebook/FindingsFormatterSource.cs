using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Notebook;

/// <summary>How a kernel shows <see cref="Findings"/>: an HTML table, and aligned text.</summary>
internal sealed class FindingsFormatterSource : ITypeFormatterSource
{
    public IEnumerable<ITypeFormatter> CreateTypeFormatters() => new ITypeFormatter[]
    {
        new HtmlFormatter<Findings>((findings, context) => { context.Writer.Write(findings.ToHtml()); return true; }),
        new PlainTextFormatter<Findings>((findings, context) => { context.Writer.Write(findings.ToString()); return true; }),
    };
}
