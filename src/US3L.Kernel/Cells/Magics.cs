namespace US3L.Kernel.Cells;

/// <summary>
/// The magic commands a cell may start a line with, spelled as .NET Interactive (Polyglot)
/// spells them. Language magics switch the language of the lines that follow; the others act
/// on the cell (<c>#!time</c>) or show something (<c>#!about</c>, <c>#!lsmagic</c>, <c>#!who</c>).
/// </summary>
internal static class Magics
{
    public sealed record Magic(string Name, IReadOnlyList<string> Aliases, CellLanguage? Language, string Description);

    public static readonly IReadOnlyList<Magic> All =
    [
        new("#!csharp", ["#!c#", "#!C#"], CellLanguage.CSharp, "run the lines that follow as C# (the default)"),
        new("#!html", [], CellLanguage.Html, "show the lines that follow as HTML"),
        new("#!markdown", ["#!md"], CellLanguage.Markdown, "show the lines that follow as Markdown"),
        new("#!javascript", ["#!js"], CellLanguage.JavaScript, "run the lines that follow as JavaScript in the frontend"),
        new("#!time", [], null, "show the wall time the cell took"),
        new("#!about", [], null, "show which kernel this is"),
        new("#!lsmagic", [], null, "list the magic commands"),
        new("#!who", [], null, "list the names of the variables defined so far"),
        new("#!whos", [], null, "list the variables defined so far with their types and values"),
    ];

    /// <summary>Polyglot kernels this kernel does not host; naming one gets a specific error.</summary>
    private static readonly IReadOnlySet<string> OtherKernels = new HashSet<string>(StringComparer.Ordinal)
    {
        "#!fsharp", "#!f#", "#!F#", "#!pwsh", "#!powershell", "#!sql", "#!kql", "#!mermaid", "#!http", "#!value", "#!python", "#!r",
    };

    public static Magic? Find(string name) =>
        All.FirstOrDefault(m => m.Name == name || m.Aliases.Contains(name));

    /// <summary>The one-line error for a magic this kernel does not know.</summary>
    public static string Unknown(string name, int line) => OtherKernels.Contains(name)
        ? $"line {line}: {name} selects a .NET Interactive kernel this kernel does not host; it runs C#, HTML, Markdown and JavaScript cells (#!lsmagic lists the magics)"
        : $"line {line}: unknown magic command {name} (#!lsmagic lists the magics)";
}

/// <summary>What the lines of a cell are, as a magic command selected them.</summary>
internal enum CellLanguage
{
    CSharp,
    Html,
    Markdown,
    JavaScript,
}
