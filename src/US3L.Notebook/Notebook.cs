using Microsoft.DotNet.Interactive.Formatting;
using US3L.Torch;

namespace US3L.Notebook;

/// <summary>
/// Rich notebook display for the kit. A cell that loaded this library with <c>#r</c> calls
/// <see cref="Init"/> once: <c>#r</c> only references an assembly, and nothing of it runs until
/// it is called. Figures display as plotly without it (they carry their own formatter), and the
/// kit's result records use the formatter's default HTML table.
/// </summary>
public static class Notebook
{
    private static int _initialized;

    /// <summary>Registers the formatters (once per process; later calls do nothing).</summary>
    public static void Init()
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 1) return;
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorHtml.Format(tensor)), HtmlFormatter.MimeType);
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(tensor.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<ProgressBar>((bar, writer) => writer.Write(bar.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<ProgressBar>((bar, writer) => writer.Write(bar.ToString()), PlainTextFormatter.MimeType);
        Formatter.Register<TrainingView>((view, writer) => writer.Write(view.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<TrainingView>((view, writer) => writer.Write(view.ToString()), PlainTextFormatter.MimeType);
    }
}
