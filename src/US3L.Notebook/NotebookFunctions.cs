using System.Diagnostics;
using US3L.Figures;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// What notebooks call unqualified as <c>Pretrain(...)</c> and <c>EvaluateWidths(...)</c> (us3l.csx
/// forwards to these): training and evaluation with live outputs in whichever kernel runs the
/// notebook (<see cref="NotebookHost"/>), stopped by that kernel's interrupt.
/// </summary>
public static class NotebookFunctions
{
    /// <summary>
    /// Trains the run of <paramref name="config"/> (or finds it finished, or resumes it) with a live
    /// progress bar and loss chart that update in place; an interrupt saves a checkpoint and stops the cell.
    /// </summary>
    public static NotebookRun Pretrain(string label, PretrainConfig config)
    {
        var ct = NotebookHost.CancellationToken;
        var script = NotebookPlotly.ScriptHtml();
        if (script.Length > 0) NotebookHost.Display(script, "text/html");
        var view = new TrainingView(label);
        var shown = NotebookHost.Display(view);
        view.Changed = v => shown.Update(v);
        try
        {
            var run = NotebookRun.Train(label, config, view, ct);
            view.Complete(run);
            return run;
        }
        catch (Exception e)
        {
            view.Fail(e.Message);
            throw;
        }
    }

    /// <summary>
    /// Per-width kNN (and linear probe) of a run, or of a random network with <paramref name="run"/>
    /// null, with a progress bar; cached next to the run.
    /// </summary>
    public static WidthAccuracies EvaluateWidths(NotebookRun? run, PretrainConfig config, IReadOnlyList<double> widths, EvaluationSettings settings)
    {
        var ct = NotebookHost.CancellationToken;
        var bar = new ProgressBar(1, $"evaluate {run?.Label ?? "random init"}");
        var shown = NotebookHost.Display(bar);
        var clock = Stopwatch.StartNew();
        var progress = new CallbackProgress<(int Done, int Total)>(p =>
        {
            // At most two redraws a second, and always the last one.
            if (clock.ElapsedMilliseconds < 500 && p.Done < p.Total) return;
            clock.Restart();
            bar = new ProgressBar(p.Total, bar.Label).Advance(steps: p.Done);
            shown.Update(bar);
        });
        var result = run is null
            ? WidthEvaluation.EvaluateRandomInit(config, widths, settings, progress, ct)
            : WidthEvaluation.Evaluate(run, widths, settings, progress, ct);
        shown.Update(new ProgressBar(1, bar.Label).Advance(result.FromCache ? "read from the cache of an earlier evaluation" : "done"));
        return result;
    }
}
