// A notebook's first cell: #load "<repo>/src/US3L.Notebook/bin/Release/net10.0/us3l.csx"
// references the kit and turns on its rich display (#r does not reference dependencies).
#r "US3L.Torch.dll"
#r "US3L.Kit.dll"
#r "US3L.Figures.dll"
#r "US3L.Notebook.dll"
US3L.Notebook.Notebook.Init();

// Notebook helpers that need the kernel (display handles, the interrupt token).

/// Trains the run of `config` (or finds it finished, or resumes it) with a live progress bar and
/// loss chart that update in place; an interrupt saves a checkpoint and stops the cell.
US3L.Notebook.NotebookRun Pretrain(string label, US3L.Training.PretrainConfig config)
{
    var script = US3L.Figures.NotebookPlotly.ScriptHtml();
    if (script.Length > 0) display(script, "text/html");
    var view = new US3L.Notebook.TrainingView(label);
    var handle = display(view);
    view.Changed = v => handle.Update(v);
    try
    {
        var run = US3L.Notebook.NotebookRun.Train(label, config, view, US3L.Kernel.KernelContext.CancellationToken);
        view.Complete(run);
        return run;
    }
    catch (Exception e)
    {
        view.Fail(e.Message);
        throw;
    }
}

/// Per-width kNN (and linear probe) of a run, or of a random network with `run == null`, with a
/// progress bar; cached next to the run.
US3L.Notebook.WidthAccuracies EvaluateWidths(US3L.Notebook.NotebookRun? run, US3L.Training.PretrainConfig config,
    IReadOnlyList<double> widths, US3L.Notebook.EvaluationSettings settings)
{
    var bar = new US3L.Notebook.ProgressBar(1, $"evaluate {run?.Label ?? "random init"}");
    var handle = display(bar);
    var shown = System.Diagnostics.Stopwatch.StartNew();
    var progress = new US3L.Notebook.CallbackProgress<(int Done, int Total)>(p =>
    {
        if (shown.ElapsedMilliseconds < 500 && p.Done < p.Total) return;
        shown.Restart();
        bar = new US3L.Notebook.ProgressBar(p.Total, bar.Label).Advance(steps: p.Done);
        handle.Update(bar);
    });
    var ct = US3L.Kernel.KernelContext.CancellationToken;
    var result = run is null
        ? US3L.Notebook.WidthEvaluation.EvaluateRandomInit(config, widths, settings, progress, ct)
        : US3L.Notebook.WidthEvaluation.Evaluate(run, widths, settings, progress, ct);
    handle.Update(new US3L.Notebook.ProgressBar(1, bar.Label).Advance(result.FromCache ? "read from the cache of an earlier evaluation" : "done"));
    return result;
}
