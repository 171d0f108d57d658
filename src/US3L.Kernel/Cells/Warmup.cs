using Microsoft.CodeAnalysis.Scripting;
using US3L.Kernel.Display;

namespace US3L.Kernel.Cells;

/// <summary>
/// Pays the one-time costs of cells while the kernel has nothing else to do. Before the first
/// cell: Roslyn's first compilation (metadata of every reference, the binder, emit) and a cell
/// compiled and run off it, the formatter's set-up with a value's plain text, and the parser,
/// each on a thread of its own (the JSON writer is warmed by the kernel's own first messages).
/// After the first cell: rich display (the HTML of collections and objects, which loads the
/// dynamic binder and the expression compiler), work a trivial first cell does not need and that
/// would otherwise take a core from the work it waits for. A cell waits for the warm-up that is
/// still running, so it never races it.
/// </summary>
internal static class Warmup
{
    public static Task BeforeFirstCell(Task<ScriptState<object>> initial, ScriptOptions options)
    {
        Task roslyn = initial.ContinueWith(t => Cell(t.Result, options), TaskContinuationOptions.OnlyOnRanToCompletion);
        Task formatting = Task.Run(() => MimeBundle.From(42));
        Task parsing = Task.Run(() => CodeIntelligence.IsComplete("var warm = new[] { 1 }.Sum(); Console.WriteLine(warm)"));
        return Logged(Task.WhenAll(roslyn, formatting, parsing), "the first cell");
    }

    public static Task AfterFirstCell() => Logged(Task.Run(RichDisplay), "the first rich display");

    /// <summary>A throwaway submission off the initial state: the real first cell continues from that state, not from this one.</summary>
    private static void Cell(ScriptState<object> state, ScriptOptions options)
    {
        var script = state.Script.ContinueWith<object>("var warm = new List<int> { 1, 2 }; warm.Count + 1", options);
        var compilation = script.GetCompilation();
        script.Compile();
        CellHost.EndsInValue(compilation);
        script.RunFromAsync(state).GetAwaiter().GetResult();
    }

    private static void RichDisplay()
    {
        MimeBundle.From(new List<int> { 1, 2 });
        MimeBundle.From(new { Name = "warm", Value = 1.5 });
    }

    private static Task Logged(Task warmup, string what) => warmup.ContinueWith(t =>
    {
        if (t.Exception is { } e) KernelLog.Warn($"warm-up failed ({what} will be slower): {e.GetBaseException().Message}");
    }, TaskScheduler.Default);
}
