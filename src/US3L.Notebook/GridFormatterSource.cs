using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Notebook;

/// <summary>How the kernel shows grid types: as HTML tables, found through their <see cref="TypeFormatterSourceAttribute"/>.</summary>
internal sealed class GridFormatterSource : ITypeFormatterSource
{
    public IEnumerable<ITypeFormatter> CreateTypeFormatters() => new ITypeFormatter[]
    {
        new HtmlFormatter<GridTable>((table, context) => { context.Writer.Write(table.ToHtml()); return true; }),
        new PlainTextFormatter<GridTable>((table, context) => { context.Writer.Write(table.ToString()); return true; }),
        new HtmlFormatter<GridView>((view, context) => { context.Writer.Write(view.ToHtml()); return true; }),
        new PlainTextFormatter<GridView>((view, context) => { context.Writer.Write(view.ToString()); return true; }),
    };
}
