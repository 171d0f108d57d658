using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace US3L.Kernel.Cells;

/// <summary>
/// Completion, inspection and completeness from Roslyn's semantic model of the pending cell
/// compiled after every earlier cell, so names defined in earlier cells are known.
/// Positions are UTF-16 offsets; the protocol's code-point offsets are converted by the caller.
/// </summary>
internal sealed class CodeIntelligence(CellHost host)
{
    public sealed record Completion(IReadOnlyList<string> Matches, int Start, int End);

    public Completion Complete(string code, int position)
    {
        int start = position;
        while (start > 0 && IsIdentifierChar(code[start - 1])) start--;
        string prefix = code[start..position];
        var (model, _) = Analyze(code);

        IEnumerable<ISymbol> symbols;
        int dot = start - 1;
        while (dot >= 0 && char.IsWhiteSpace(code[dot])) dot--;
        if (dot >= 0 && code[dot] == '.' && MemberAccessTarget(model, dot) is { } target)
            symbols = MembersOf(model, target, dot + 1);
        else
            symbols = model.LookupSymbols(start).Where(s => s.CanBeReferencedByName);

        var matches = symbols
            .Select(s => s.Name)
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        return new Completion(matches, start, position);
    }

    /// <summary>Signature and documentation of the symbol under (or just before) the cursor, or null.</summary>
    public string? Inspect(string code, int position)
    {
        var (model, tree) = Analyze(code);
        if (position > 0 && (position == code.Length || !IsIdentifierChar(code[position]))) position--;
        SyntaxToken token = tree.GetRoot().FindToken(Math.Max(0, position));
        SyntaxNode? node = token.Parent;
        if (node is null) return null;
        ISymbol? symbol = model.GetSymbolInfo(node).Symbol
            ?? model.GetSymbolInfo(node).CandidateSymbols.FirstOrDefault()
            ?? model.GetDeclaredSymbol(node)
            ?? model.GetTypeInfo(node).Type as ISymbol;
        if (symbol is null or IErrorTypeSymbol) return null;

        var lines = new List<string> { $"{symbol.Kind}: {symbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}" };
        if (symbol is IMethodSymbol method)
        {
            var overloads = method.ContainingType?.GetMembers(method.Name).OfType<IMethodSymbol>().ToList() ?? [];
            if (overloads.Count > 1)
            {
                lines.Add($"{overloads.Count} overloads:");
                lines.AddRange(overloads.Select(o => "  " + o.ToDisplayString()));
            }
        }
        if (symbol.ContainingAssembly is { } assembly) lines.Add($"Assembly: {assembly.Identity.Name}");
        string? doc = symbol.GetDocumentationCommentXml();
        if (!string.IsNullOrWhiteSpace(doc)) lines.Add(doc.Trim());
        return string.Join('\n', lines);
    }

    /// <summary>Jupyter's is_complete: "complete", "incomplete" (more lines wanted) or "invalid".</summary>
    public static string IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(CellText.CSharpOnly(code), ScriptParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return "incomplete";
        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? "invalid" : "complete";
    }

    private static readonly CSharpParseOptions ScriptParseOptions =
        new(LanguageVersion.Preview, kind: SourceCodeKind.Script);

    private (SemanticModel Model, SyntaxTree Tree) Analyze(string code)
    {
        Script script = host.CurrentScript.ContinueWith(CellText.CSharpOnly(code), host.Options);
        Compilation compilation = script.GetCompilation();
        SyntaxTree tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), tree);
    }

    private static ISymbol? MemberAccessTarget(SemanticModel model, int dotPosition)
    {
        SyntaxToken dot = model.SyntaxTree.GetRoot().FindToken(dotPosition);
        ExpressionSyntax? expression = dot.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            QualifiedNameSyntax qualified => qualified.Left,
            _ => null,
        };
        if (expression is null) return null;
        SymbolInfo info = model.GetSymbolInfo(expression);
        ISymbol? symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        if (symbol is INamespaceOrTypeSymbol namespaceOrType) return namespaceOrType;
        // A value: complete on its type (instance members).
        return model.GetTypeInfo(expression).Type is { TypeKind: not TypeKind.Error } type ? type : null;
    }

    private static IEnumerable<ISymbol> MembersOf(SemanticModel model, ISymbol target, int position)
    {
        if (target is INamespaceSymbol ns) return model.LookupNamespacesAndTypes(position, ns);
        var type = (ITypeSymbol)target;
        // Bound as a type name (Console.): static members; bound as a value (list.): instance ones.
        SyntaxToken dot = model.SyntaxTree.GetRoot().FindToken(position - 1);
        bool isTypeName = dot.Parent is MemberAccessExpressionSyntax access
            && model.GetSymbolInfo(access.Expression).Symbol is ITypeSymbol
            || dot.Parent is QualifiedNameSyntax;
        return isTypeName
            ? model.LookupStaticMembers(position, type)
            : model.LookupSymbols(position, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic);
    }

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
