using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using US3L.Kernel.Display;

namespace US3L.Kernel.Cells;

/// <summary>
/// Runs cells as Roslyn script submissions chained to one another, so variables, types and
/// <c>#r</c> references of earlier cells stay visible. Cells run on the calling thread.
/// </summary>
internal sealed class CellHost
{
    private readonly CellGlobals _globals = new();
    private readonly InteractiveAssemblyLoader _loader = new();
    private readonly Dictionary<string, string> _packageAssemblies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task<ScriptState<object>> _initial;
    private Task _warm;
    private bool _warmedAfterFirstCell;
    private ScriptState<object>? _state;

    public CellHost(string workingDirectory)
    {
        Options = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Preview)
            .WithReferences(ReferencedAssemblies())
            .WithImports("System", "System.IO", "System.Linq", "System.Text", "System.Collections.Generic",
                "System.Threading", "System.Threading.Tasks", "US3L.Kernel", "US3L.Kernel.Display",
                "Microsoft.DotNet.Interactive.Formatting", "Microsoft.DotNet.Interactive.Formatting.PocketViewTags")
            .WithMetadataResolver(new MappedReferenceResolver(ScriptMetadataResolver.Default.WithBaseDirectory(workingDirectory)
                .WithSearchPaths(RuntimeDirectory)))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(workingDirectory))
            .WithEmitDebugInformation(false)
            .WithFileEncoding(System.Text.Encoding.UTF8);
        // Roslyn's first compilation and the first cell's JIT cost seconds; pay them on background
        // threads while the frontend connects (see Warmup).
        _initial = Task.Run(() => CSharpScript.Create("", Options, typeof(CellGlobals), _loader).RunAsync(_globals));
        _warm = Warmup.BeforeFirstCell(_initial, Options);
    }

    public ScriptOptions Options { get; private set; }

    /// <summary>
    /// Makes assemblies (restored packages) referable from the next cell on, and loadable when
    /// another package assembly asks for one by name (a dependency no cell names).
    /// </summary>
    public void AddReferences(IReadOnlyList<string> paths)
    {
        foreach (string path in paths) _packageAssemblies[AssemblyName.GetAssemblyName(path).Name!] = path;
        foreach (string path in paths) RegisterWithLoader(path);
        Options = Options.AddReferences(paths.Select(p => MetadataReference.CreateFromFile(p)));
    }

    /// <summary>
    /// Roslyn's loader resolves a strong-named reference only to that exact version, but a restore
    /// unifies a package's dependencies to one version (often a newer one than a package was
    /// built against), and packages load each other by bare name (Assembly.Load("X")). The bare
    /// name and each version a package assembly asks for are registered as the restored file.
    /// </summary>
    private void RegisterWithLoader(string path)
    {
        AssemblyName file = AssemblyName.GetAssemblyName(path);
        if (AssemblyIdentity.TryParseDisplayName(file.FullName, out var own)) _loader.RegisterDependency(own, path);
        _loader.RegisterDependency(new AssemblyIdentity(file.Name!), path);
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader metadata = pe.GetMetadataReader();
        foreach (AssemblyReferenceHandle handle in metadata.AssemblyReferences)
        {
            AssemblyName wanted = metadata.GetAssemblyReference(handle).GetAssemblyName();
            if (wanted.Name is { } name && _packageAssemblies.TryGetValue(name, out string? restored)
                && AssemblyIdentity.TryParseDisplayName(wanted.FullName, out var identity))
                _loader.RegisterDependency(identity, restored);
        }
    }

    private static string RuntimeDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    /// <summary>The variables defined so far (the latest of each name), for #!who and #!whos.</summary>
    public IEnumerable<(string Name, string Type, string Value)> Variables =>
        State.Variables.Reverse().DistinctBy(v => v.Name).Reverse()
            .Select(v => (v.Name, v.Type.Name, Shorten(v.Value?.ToString() ?? "null")));

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    /// <summary>The script of all cells so far, for completion and inspection.</summary>
    public Script CurrentScript => State.Script;

    private ScriptState<object> State => _state ??= _initial.GetAwaiter().GetResult();

    /// <summary>
    /// Starts the part of the warm-up that waits until the first cell has been answered (see
    /// Warmup), once. The shell thread calls it after a cell's reply and idle status are sent, so
    /// it never overlaps a cell or its output; <c>_warm</c> is read and written on that thread only.
    /// </summary>
    public void CellAnswered()
    {
        if (_warmedAfterFirstCell) return;
        _warmedAfterFirstCell = true;
        _warm = Task.WhenAll(_warm, Warmup.AfterFirstCell());
    }

    /// <summary>Waits for the warm-up still running (see Warmup); a cell calls it before anything else.</summary>
    public void WaitForWarmup(CancellationToken cancel) => _warm.Wait(cancel);

    /// <summary>Runs C# code (magic lines and package directives already taken out) as the next submission.</summary>
    public CellResult Run(string code, CancellationToken cancel)
    {
        Script<object> script = State.Script.ContinueWith<object>(code, Options);
        var errors = script.Compile(cancel).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) return new CellResult(false, null, CompileError(errors));
        bool hasValue = EndsInValue(script.GetCompilation());

        ScriptState<object> next;
        try
        {
            next = script.RunFromAsync(State, _ => true, cancel).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new CellResult(false, null, Interrupted());
        }
        catch (CompilationErrorException e)
        {
            return new CellResult(false, null, CompileError(e.Diagnostics));
        }
        // The state after a failing cell keeps whatever the cell defined before it threw.
        _state = next;
        if (next.Exception is { } exception) return new CellResult(false, null, RuntimeError(exception, cancel));
        return new CellResult(hasValue, next.ReturnValue, null);
    }

    /// <summary>
    /// True when the cell ends in an expression without a semicolon whose type is not void:
    /// its value is the cell's execute_result (as in Polyglot and IPython).
    /// </summary>
    internal static bool EndsInValue(Compilation compilation)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Last();
        if (tree.GetRoot() is not Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax unit
            || unit.Members.LastOrDefault() is not Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax
            {
                Statement: Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement
            })
            return false;
        ITypeSymbol? type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private static CellError CompileError(IEnumerable<Diagnostic> diagnostics)
    {
        var lines = diagnostics.Select(d =>
        {
            var span = d.Location.GetLineSpan().StartLinePosition;
            return $"({span.Line + 1},{span.Character + 1}): error {d.Id}: {d.GetMessage()}";
        }).ToList();
        return new CellError("CompilationError", lines[0], lines);
    }

    internal static CellError Interrupted() =>
        new("KeyboardInterrupt", "the cell was interrupted", ["KeyboardInterrupt: the cell was interrupted"]);

    private static CellError RuntimeError(Exception exception, CancellationToken cancel)
    {
        while (exception is TargetInvocationException or AggregateException && exception.InnerException is not null)
            exception = exception.InnerException;
        if (exception is OperationCanceledException && cancel.IsCancellationRequested) return Interrupted();
        // Frames below the cell belong to the script runner and only add noise.
        var traceback = exception.ToString().Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => !l.Contains(" Microsoft.CodeAnalysis.Scripting.") && !l.Contains(" System.Runtime.CompilerServices."))
            .ToList();
        return new CellError(exception.GetType().Name, exception.Message, traceback);
    }

    private static IEnumerable<Assembly> ReferencedAssemblies() =>
    [
        typeof(object).Assembly,
        typeof(Enumerable).Assembly,
        typeof(List<>).Assembly,
        typeof(Console).Assembly,
        typeof(System.Text.RegularExpressions.Regex).Assembly,
        typeof(System.Text.Json.JsonSerializer).Assembly,
        typeof(System.ComponentModel.TypeConverter).Assembly,
        Assembly.Load("System.Runtime"),
        Assembly.Load("netstandard"),
        typeof(Microsoft.DotNet.Interactive.Formatting.Formatter).Assembly,
        typeof(Microsoft.AspNetCore.Html.IHtmlContent).Assembly,
        // PocketView tags (div, span, ...) are dynamic.
        typeof(Microsoft.CSharp.RuntimeBinder.Binder).Assembly,
        typeof(System.Linq.Expressions.Expression).Assembly,
        typeof(CellHost).Assembly,
    ];
}
