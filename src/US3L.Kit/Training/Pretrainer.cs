using System.Diagnostics;
using US3L.Methods;
using US3L.Models;
using US3L.Torch;

namespace US3L.Training;

/// <summary>
/// A pretraining run in its own folder: <c>config.json</c> (the resolved config),
/// <c>metrics.jsonl</c> (see <see cref="MetricsLog"/>) and <c>checkpoints/last.safetensors</c>.
/// <code>
/// using var run = Pretrainer.Start(RecipeLoader.Load("fashion-mnist-us3l", "short"), "runs/us3l");
/// var result = run.Train(ct);              // Ctrl-C: stops at the next iteration and saves
/// using var again = Pretrainer.Resume("runs/us3l");   // continues exactly where it stopped
/// </code>
/// Per-epoch cosine LR without warm-up and SGD with momentum (science.md 6.1); the per-iteration
/// width loop is <see cref="WidthLoop"/>.
/// </summary>
public sealed class Pretrainer : IDisposable
{
    private readonly TrainingSetup setup;
    private readonly IDisposable hold;
    private readonly KnnMonitor? knn;
    private TrainPosition position;
    private string? lastCheckpoint;
    private (int Epoch, int Batch)? savedPosition;

    private Pretrainer(string runDir, TrainingSetup setup, IDisposable hold, TrainPosition position, string? lastCheckpoint)
    {
        RunDir = runDir;
        this.setup = setup;
        this.hold = hold;
        this.position = position;
        this.lastCheckpoint = lastCheckpoint;
        if (lastCheckpoint is not null) savedPosition = (position.Epoch, position.Batch);
        setup.Loop.LastCheckpoint = lastCheckpoint;
        if (setup.Data is { KnnBank: { } bank, KnnQueries: { } queries } && setup.Config.KnnEvery >= 0)
            knn = new KnnMonitor(setup.Config, bank, queries, setup.Data.EvalRecipe, setup.Device);
    }

    public string RunDir { get; }
    public PretrainConfig Config => setup.Config;
    /// <summary>The online backbone θ (the one to evaluate, science.md 6.4).</summary>
    public SlimmableNetwork Backbone => setup.Network.Backbone;
    /// <summary>The online network with its heads.</summary>
    public SslNetwork Network => setup.Network;
    public int EpochsCompleted => position.Epoch;
    public long Iterations => position.Iteration;
    internal TrainingSetup Setup => setup;

    /// <summary>A new run in <paramref name="runDir"/> (created; it must not hold a run already).</summary>
    public static Pretrainer Start(PretrainConfig config, string runDir)
    {
        ArgumentNullException.ThrowIfNull(config);
        var checkpoint = Checkpoint.PathIn(runDir);
        if (File.Exists(checkpoint)) throw new InvalidOperationException($"{runDir} already holds a run; resume it (us3l pretrain --resume, Pretrainer.Resume) or pick a new folder.");
        // Everything that can refuse the config (validation, the data files) runs before the folder is written,
        // so a run that cannot start leaves no folder behind.
        var setup = new TrainingSetup(config);
        IDisposable? hold = null;
        try
        {
            hold = RunFolder.Hold(runDir);
            Directory.CreateDirectory(Path.Combine(runDir, "checkpoints"));
            File.WriteAllText(Path.Combine(runDir, "config.json"), ConfigJson.Write(config));
            MetricsLog.Create(MetricsPath(runDir)).Dispose();
            return new Pretrainer(runDir, setup, hold, new TrainPosition(0, 0, 0, 0, 0, 0, 0, 0), null);
        }
        catch
        {
            hold?.Dispose();
            setup.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Continues the run in <paramref name="runDir"/> from its last checkpoint: the metrics log is cut
    /// back to the lines that checkpoint had seen, and the iterations after it are done again, exactly.
    /// A run stopped before its first checkpoint starts again from its first iteration with its own
    /// config, which is exactly what it was doing. Half-written checkpoint files of a killed run are removed.
    /// </summary>
    public static Pretrainer Resume(string runDir)
    {
        var checkpoint = Checkpoint.PathIn(runDir);
        var configPath = Path.Combine(runDir, "config.json");
        if (!File.Exists(checkpoint) && !File.Exists(configPath))
            throw new FileNotFoundException($"{runDir} is not a run folder: it has no checkpoint ({checkpoint}) and no config.json.", checkpoint);
        // Held first: the temporary files removed below could be a live trainer's checkpoint being written.
        var hold = RunFolder.Hold(runDir);
        TrainingSetup? setup = null;
        try
        {
            var config = ConfigJson.ReadFile(configPath);
            Checkpoint.RemoveUnfinished(runDir);
            setup = new TrainingSetup(config);
            var saved = File.Exists(checkpoint);
            var position = saved ? Checkpoint.Load(checkpoint, setup) : new TrainPosition(0, 0, 0, 0, 0, 0, 0, 0);
            MetricsLog.Reopen(MetricsPath(runDir), position.MetricsLines).Dispose();
            return new Pretrainer(runDir, setup, hold, position, saved ? checkpoint : null);
        }
        catch
        {
            setup?.Dispose();
            hold.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint a run in <paramref name="runDir"/> saves to and resumes from.</summary>
    public static string CheckpointPath(string runDir) => Checkpoint.PathIn(runDir);

    /// <summary>The online backbone of the run's last checkpoint, in eval mode, on the CPU.</summary>
    public static SlimmableNetwork LoadBackbone(string runDir)
    {
        var config = ConfigJson.ReadFile(Path.Combine(runDir, "config.json"));
        var (tensors, _) = Torch.Serialization.Safetensors.Load(Checkpoint.PathIn(runDir));
        try
        {
            // The stem is the first 4-D backbone tensor; its input channels are the images' channels.
            var stem = tensors.First(e => e.Key.StartsWith("model.backbone.", StringComparison.Ordinal) && e.Value.dim() == 4).Value;
            var options = new ModelOptions { Divisor = config.Divisor, InChannels = (int)stem.size(1),
                TrainedRange = new Slimmable.WidthRange(config.Sampler == SamplerKind.Fixed ? Math.Min(config.WidthMin, config.FixedWidths.Min()) : config.WidthMin, config.WidthMax),
                WidthsList = config.SwitchableBn ? config.FixedWidths : null, SwitchableBn = config.SwitchableBn };
            var backbone = ModelRegistry.Create(config.Arch, options);
            backbone.load_state_dict(Checkpoint.Prefixed(tensors, "model.backbone."));
            backbone.eval();
            return backbone;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Trains to the configured number of epochs. <paramref name="ct"/> is checked before every
    /// iteration: a cancellation saves a checkpoint and returns with <see cref="PretrainResult.Interrupted"/>.
    /// A NaN or infinite loss throws <see cref="NonFiniteLossException"/> and keeps the last checkpoint.
    /// </summary>
    public PretrainResult Train(CancellationToken ct = default, IProgress<TrainProgress>? progress = null)
    {
        var c = setup.Config;
        var clock = Stopwatch.StartNew();
        var interrupted = false;
        IReadOnlyDictionary<double, double>? lastKnn = null;
        using var log = MetricsLog.Reopen(MetricsPath(RunDir), position.MetricsLines);
        var perEpoch = setup.Loader.BatchesPerEpoch;
        while (position.Epoch < c.Epochs && !interrupted)
        {
            var epoch = position.Epoch;
            var lr = LearningRate.At(c, epoch, position.Batch, perEpoch);
            foreach (var g in setup.Optimizer.param_groups) g.lr = lr;
            setup.Regularizer?.SetEpoch(epoch);
            foreach (var batch in setup.Loader.Epoch(epoch, position.Batch))
                using (batch)
                {
                    if (ct.IsCancellationRequested) { interrupted = true; break; }
                    Iterate(batch, epoch, lr, perEpoch, log, progress);
                }
            if (interrupted) break;
            lastKnn = EndEpoch(epoch, lr, log, progress);
        }
        // An interrupt between two scheduled saves leaves the latest position unsaved.
        if (lastCheckpoint is null || savedPosition != (position.Epoch, position.Batch)) Save(log);
        log.Write(new Dictionary<string, object?>
        {
            ["kind"] = "end", ["interrupted"] = interrupted, ["epoch"] = position.Epoch, ["iteration"] = position.Iteration,
            ["seconds"] = clock.Elapsed.TotalSeconds,
        });
        return new PretrainResult(RunDir, interrupted, position.Epoch, position.Iteration, lastCheckpoint!, lastKnn, clock.Elapsed.TotalSeconds);
    }

    private void Iterate(Data.ImageBatch batch, int epoch, double lr, int perEpoch, MetricsLog log, IProgress<TrainProgress>? progress)
    {
        var c = setup.Config;
        var clock = Stopwatch.StartNew();
        using var scope = torch.NewDisposeScope();
        if (LearningRate.PerIteration(c))
        {
            lr = LearningRate.At(c, epoch, batch.Index, perEpoch);
            foreach (var g in setup.Optimizer.param_groups) g.lr = lr;
        }
        var (v1, v2) = setup.Views.Apply(batch.Images, setup.Generator);
        var draw = setup.Sampler.Next(epoch);
        var monitor = WidthLoop.Monitored(c, draw.Iteration);
        var records = setup.Loop.Run(new ViewPair(v1, v2), draw.Widths, epoch, draw.Iteration, monitor);
        var seconds = clock.Elapsed.TotalSeconds;
        var images = batch.Size;
        var macs = position.Macs + records.Sum(r => 3.0 * 2 * images * ForwardMacs(r.Width));
        var teacherForwards = setup.Loop.TeacherForwards;
        macs += (teacherForwards - position.TeacherForwards) * 2.0 * images * ForwardMacs(setup.Loop.TeacherWidth);
        position = position with
        {
            Batch = batch.Index + 1, Iteration = draw.Iteration + 1, OptimizerSteps = setup.Loop.OptimizerSteps,
            TeacherForwards = teacherForwards, Passes = position.Passes + records.Count, Macs = macs,
        };
        if (draw.Iteration % c.LogEvery == 0)
        {
            log.Write(new Dictionary<string, object?>
            {
                ["kind"] = "iteration", ["epoch"] = epoch, ["batch"] = batch.Index, ["iteration"] = draw.Iteration, ["lr"] = lr,
                ["widths"] = draw.Widths, ["distilled"] = records.Select(r => r.Distilled).ToArray(),
                ["loss"] = records.Select(r => r.Loss).ToArray(), ["reg"] = records.Select(r => r.Regularization).ToArray(),
                ["grad_norm"] = records.Select(r => r.GradNorm).ToArray(),
                ["images_per_second"] = images / seconds, ["passes"] = position.Passes, ["macs"] = position.Macs,
                ["optimizer_steps"] = position.OptimizerSteps, ["teacher_forwards"] = position.TeacherForwards,
                ["ema_updates"] = setup.Teacher?.NumUpdates, ["ema_drift"] = setup.Teacher is null ? null : setup.Teacher.LastDrift,
                ["collapse"] = monitor ? records.Select(r => CollapseEntry(r.Width, r.Collapse)).ToArray() : null,
                ["collapse_backbone"] = monitor ? records.Select(r => CollapseEntry(r.Width, r.BackboneCollapse)).ToArray() : null,
                // One entry per distilled step, in order; null where no earlier sub-network step was measured.
                ["target_drift"] = monitor ? records.Where(r => r.Distilled).Select(r => r.TargetDrift?.OneMinusCosine).ToArray() : null,
                ["target_drift_l2"] = monitor ? records.Where(r => r.Distilled).Select(r => r.TargetDrift?.L2).ToArray() : null,
            });
            position = position with { MetricsLines = log.Lines };
        }
        progress?.Report(new TrainProgress(epoch, c.Epochs, batch.Index + 1, perEpoch, position.Iteration, draw.Widths,
            records.Select(r => r.Loss).ToArray(), images / seconds, null));
    }

    private static Dictionary<string, double>? CollapseEntry(double width, Evaluation.CollapseStats? s) => s is null ? null : new()
    {
        ["width"] = width, ["std"] = s.FeatureStd, ["level"] = s.CollapseLevel, ["mean_cosine"] = s.MeanCosine, ["effective_rank"] = s.EffectiveRank,
    };

    private IReadOnlyDictionary<double, double>? EndEpoch(int epoch, double lr, MetricsLog log, IProgress<TrainProgress>? progress)
    {
        var c = setup.Config;
        var last = epoch == c.Epochs - 1;
        IReadOnlyDictionary<double, double>? top1 = null;
        if (knn is not null && ((c.KnnEvery > 0 && (epoch + 1) % c.KnnEvery == 0) || last))
            top1 = knn.Evaluate(setup.Network.Backbone, setup.BuildBackbone);
        log.Write(new Dictionary<string, object?>
        {
            ["kind"] = "epoch", ["epoch"] = epoch, ["iteration"] = position.Iteration, ["lr"] = lr,
            ["knn"] = top1?.Select(e => new Dictionary<string, double> { ["width"] = e.Key, ["top1"] = e.Value }).ToArray(),
        });
        position = position with { Epoch = epoch + 1, Batch = 0, MetricsLines = log.Lines };
        if (top1 is not null)
            progress?.Report(new TrainProgress(epoch, c.Epochs, setup.Loader.BatchesPerEpoch, setup.Loader.BatchesPerEpoch, position.Iteration,
                Array.Empty<double>(), Array.Empty<double>(), 0, top1));
        if (SavesAfter(epoch + 1) || last) Save(log);
        return top1;
    }

    /// <summary>Whether the end of epoch count <paramref name="epochs"/> saves a checkpoint on the checkpoint_every schedule (0: never on it).</summary>
    private bool SavesAfter(int epochs) => setup.Config.CheckpointEvery > 0 && epochs % setup.Config.CheckpointEvery == 0;

    private void Save(MetricsLog log)
    {
        var path = Checkpoint.PathIn(RunDir);
        Checkpoint.Save(path, setup, position with { MetricsLines = log.Lines });
        lastCheckpoint = path;
        savedPosition = (position.Epoch, position.Batch);
        setup.Loop.LastCheckpoint = path;
    }

    private double ForwardMacs(double width) => setup.Network.Backbone.Cost(width, setup.Data.Train.Height).Macs;

    private static string MetricsPath(string runDir) => Path.Combine(runDir, "metrics.jsonl");

    public void Dispose()
    {
        setup.Dispose();
        hold.Dispose();
    }
}
