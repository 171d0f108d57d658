using US3L.Models;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// A pretraining run a notebook asked for, found in <see cref="RunStore"/> or trained there.
/// <code>
/// var run = NotebookRun.Train("naive-seed0", config, progress, NotebookHost.CancellationToken);
/// run.Metrics.LossOf(0.25); using var backbone = run.LoadBackbone();
/// </code>
/// A finished run with the same resolved config is reused as it is; an interrupted one resumes
/// from its checkpoint (exactly, see <see cref="Pretrainer.Resume"/>); otherwise it trains anew.
/// </summary>
public sealed class NotebookRun
{
    private RunMetrics? metrics;

    private NotebookRun(string label, string runDir, PretrainConfig config, RunSource source)
    {
        Label = label;
        RunDir = runDir;
        Config = config;
        Source = source;
    }

    public string Label { get; }
    public string RunDir { get; }
    public PretrainConfig Config { get; }
    /// <summary>Whether this call trained, resumed, or found the run finished.</summary>
    public RunSource Source { get; }
    public bool FromCache => Source == RunSource.Cached;
    /// <summary>The run's metrics log, read once.</summary>
    public RunMetrics Metrics => metrics ??= RunMetrics.Read(Path.Combine(RunDir, "metrics.jsonl"));

    /// <summary>The online backbone of the final checkpoint, in eval mode (dispose it).</summary>
    public SlimmableNetwork LoadBackbone() => Pretrainer.LoadBackbone(RunDir);

    /// <summary>
    /// The finished run of <paramref name="config"/>: cached, resumed or trained. An interrupt
    /// (<paramref name="ct"/>) saves a checkpoint and throws <see cref="OperationCanceledException"/>;
    /// running the cell again resumes. A folder whose <c>config.json</c> differs from the config
    /// (a hash collision or a hand edit) is an error, never silently reused.
    /// </summary>
    public static NotebookRun Train(string label, PretrainConfig config, IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var dir = RunStore.FolderFor(label, config);
        var state = RunFolder.StateOf(dir, config);
        switch (state)
        {
            case RunFolderState.Finished:
                return new NotebookRun(label, dir, config, RunSource.Cached);
            case RunFolderState.Running:
                throw new InvalidOperationException($"'{label}' is being trained right now (process {RunFolder.HolderOf(dir)}) in {dir}; wait for it, or stop it and run the cell again to resume.");
            case RunFolderState.Abandoned:
                // A start that died before its first checkpoint (e.g. the kernel was killed): nothing to resume.
                Directory.Delete(dir, recursive: true);
                break;
        }
        var hasCheckpoint = state == RunFolderState.Interrupted;
        var source = hasCheckpoint ? RunSource.Resumed : RunSource.Trained;
        using (var run = hasCheckpoint ? Pretrainer.Resume(dir) : Pretrainer.Start(config, dir))
        {
            var result = run.Train(ct, progress);
            if (result.Interrupted)
                throw new OperationCanceledException(
                    $"Training of '{label}' was interrupted after {result.Iterations} iterations; the checkpoint is saved in {dir}. Run the cell again to resume.", ct);
        }
        return new NotebookRun(label, dir, config, source);
    }

    public override string ToString() => $"{Label} ({Source.ToString().ToLowerInvariant()}, {RunDir})";
}

/// <summary>How <see cref="NotebookRun.Train"/> got its run.</summary>
public enum RunSource
{
    /// <summary>Trained from the start by this call.</summary>
    Trained,
    /// <summary>Continued from the checkpoint of an interrupted earlier call.</summary>
    Resumed,
    /// <summary>Found finished in the store; nothing was trained.</summary>
    Cached,
}
