using Microsoft.CodeAnalysis.Scripting;
using US3L.Kernel.Display;

namespace US3L.Kernel.Cells;

/// <summary>
/// Pays the first cell's one-time costs while the kernel waits for its first request: Roslyn's
/// first compilation (metadata of every reference, the binder, emit), the script runner, the
/// formatter's static set-up and the JSON writer, each on a thread of its own. The first cell
/// waits for what is still running, so a cell never races the warm-up.
/// </summary>
internal static class Warmup
{
    public static Task Start(Task<ScriptState<object>> initial, ScriptOptions options)
    {
        Task roslyn = initial.ContinueWith(t => Cell(t.Result, options), TaskContinuationOptions.OnlyOnRanToCompletion);
        Task formatting = Task.Run(Formatting);
        Task parsing = Task.Run(() => CodeIntelligence.IsComplete("var warm = new[] { 1 }.Sum(); Console.WriteLine(warm)"));
        return Task.WhenAll(roslyn, formatting, parsing).ContinueWith(t =>
        {
            if (t.Exception is { } e) KernelLog.Warn($"warm-up failed (the first cell will be slower): {e.GetBaseException().Message}");
        }, TaskScheduler.Default);
    }

    /// <summary>A throwaway submission off the initial state: the real first cell continues from that state, not from this one.</summary>
    private static void Cell(ScriptState<object> state, ScriptOptions options)
    {
        var script = state.Script.ContinueWith<object>("var warm = new List<int> { 1, 2 }; warm.Count + 1", options);
        var compilation = script.GetCompilation();
        script.Compile();
        CellHost.EndsInValue(compilation);
        script.RunFromAsync(state).GetAwaiter().GetResult();
    }

    private static void Formatting()
    {
        MimeBundle.From(42);
        MimeBundle.From(new List<int> { 1, 2 });
        MimeBundle.From(new { Name = "warm", Value = 1.5 });
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new System.Text.Json.Nodes.JsonObject { ["data"] = MimeBundle.From("warm") });
    }
}
