using System.Text.Json.Nodes;

namespace US3L.Kernel.Display;

/// <summary>A value that knows its own mime bundle (its formats are not the formatter's to choose).</summary>
internal interface IMimeContent
{
    JsonObject Bundle();
}

/// <summary>Content already in a mime type, shown as is (see <c>display(content, mimeType)</c>).</summary>
public sealed record RawMime(string MimeType, string Content) : IMimeContent
{
    JsonObject IMimeContent.Bundle() => new() { [MimeType] = Content };
}

/// <summary>LaTeX shown as text/latex (Jupyter renders it with MathJax): <c>(LaTeXString)@"\begin{align}...\end{align}"</c>.</summary>
public sealed class LaTeXString(string latex) : IMimeContent
{
    public static implicit operator LaTeXString(string latex) => new(latex);

    public override string ToString() => latex;

    JsonObject IMimeContent.Bundle() => new() { ["text/latex"] = latex, ["text/plain"] = latex };
}

/// <summary>A math expression shown as display math (text/latex between $$): <c>(MathString)@"\frac{a}{b}"</c>.</summary>
public sealed class MathString(string math) : IMimeContent
{
    public static implicit operator MathString(string math) => new(math);

    public override string ToString() => math;

    JsonObject IMimeContent.Bundle() => new() { ["text/latex"] = $"$${math}$$", ["text/plain"] = math };
}

/// <summary>Markdown shown as text/markdown (see <c>Markdown(...)</c> and <c>#!markdown</c>).</summary>
public sealed class MarkdownString(string markdown) : IMimeContent
{
    public override string ToString() => markdown;

    JsonObject IMimeContent.Bundle() => new() { ["text/markdown"] = markdown, ["text/plain"] = markdown };
}

/// <summary>
/// JavaScript for the frontend to run. Classic Notebook and JupyterLab run application/javascript
/// (in trusted notebooks); other frontends get the same code as a script element, as .NET
/// Interactive sends it.
/// </summary>
internal sealed record JavaScriptCode(string Code) : IMimeContent
{
    public JsonObject Bundle() => new()
    {
        ["application/javascript"] = Code,
        ["text/html"] = $"<script type=\"text/javascript\">\n{Code}\n</script>",
    };
}
