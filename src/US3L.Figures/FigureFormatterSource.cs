namespace US3L.Figures;

/// <summary>
/// Notebook display of <see cref="Figure"/> without a dependency on the formatting library:
/// Microsoft.DotNet.Interactive.Formatting finds formatters by convention, through an attribute
/// named TypeFormatterSourceAttribute whose source creates objects with a MimeType and a
/// <c>bool Format(object, TextWriter)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;
    public string[] PreferredMimeTypes { get; set; } = [];
}

internal sealed class FigureFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new FigureFormatter("text/html", f => NotebookPlotly.Html(f)),
        new FigureFormatter("text/plain", f => f.ToString()),
    ];

    private sealed class FigureFormatter(string mimeType, Func<Figure, string> format)
    {
        public string MimeType { get; } = mimeType;

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not Figure figure) return false;
            writer.Write(format(figure));
            return true;
        }
    }
}
