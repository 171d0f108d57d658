using System.Diagnostics;
using System.Globalization;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.optim;
using US3L.Torch.Serialization;
using US3L.Training;

namespace US3L.Detection;

/// <summary>
/// A detection fine-tuning run in its own folder (science.md 10.6): <c>config.json</c> (the resolved
/// config), <c>metrics.jsonl</c> (one line per logged iteration, per evaluation and at the end),
/// <c>checkpoints/w&lt;width&gt;.safetensors</c> (the width in progress), <c>detector-w&lt;width&gt;.safetensors</c>
/// (the fine-tuned detector of each finished width, <see cref="LoadDetector"/>) and <c>results.json</c> (box
/// and mask AP per finished width, <see cref="DetectResults"/>). Each width builds its own Mask R-CNN on
/// the same backbone weights set to that width, calibrates the backbone's BN statistics at that
/// width on training images (science.md 6.3), fine-tunes with SGD (linear warm-up in the first epoch,
/// steps at <see cref="DetectFinetuneConfig.LrSteps"/>) and is evaluated on the validation set.
/// <code>
/// using var run = DetectFinetuner.Start(DetectRecipes.Load("scenes", "smoke"), "runs/detect");
/// var results = run.Run(ct);                     // Ctrl-C: stops at the next iteration and saves
/// using var again = DetectFinetuner.Resume("runs/detect");   // continues where it stopped
/// </code>
/// </summary>
public sealed class DetectFinetuner : IDisposable
{
    private const string Format = "us3l-detect-1";
    private const string DetectorFormat = "us3l-detector-1";
    /// <summary>The running statistics' momentum while fine-tuning (torch.nn.BatchNorm2d's default).</summary>
    internal const double FineTuneBnMomentum = 0.1;
    private readonly DetectData data;
    private readonly DetectBackbone backbone;
    private readonly Device device;

    private DetectFinetuner(string runDir, DetectFinetuneConfig config)
    {
        RunDir = runDir;
        Config = config;
        device = Device.Parse(config.Device);
        backbone = DetectBackbone.Describe(config, config.IsCoco ? 3 : config.SceneChannels);
        foreach (var w in config.Widths) backbone.CheckWidth(w);
        if (config.IsCoco && backbone.InChannels != 3)
            throw new ArgumentException($"COCO images have 3 channels but the {config.Arch} backbone of {backbone.Checkpoint} reads {backbone.InChannels}.");
        data = DetectData.Load(config, backbone.InChannels);
    }

    public string RunDir { get; }
    public DetectFinetuneConfig Config { get; }
    public DetectionDataset Train => data.Train;
    public DetectionDataset Val => data.Val;
    public static string ResultsPath(string runDir) => Path.Combine(runDir, "results.json");
    public static string CheckpointPath(string runDir, double width) =>
        Path.Combine(runDir, "checkpoints", $"w{WidthTag(width)}.safetensors");
    private string MetricsPath => Path.Combine(RunDir, "metrics.jsonl");

    /// <summary>The fine-tuned detector of a finished width (its state_dict, BN running statistics included).</summary>
    public static string DetectorPath(string runDir, double width) =>
        Path.Combine(runDir, $"detector-w{WidthTag(width)}.safetensors");

    /// <summary>A width as file names spell it: three decimals, invariant culture.</summary>
    private static string WidthTag(double width) => width.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The fine-tuned detector of a finished <paramref name="width"/>, in eval mode, ready for
    /// <see cref="MaskRcnn.Detect"/>; the caller disposes it.
    /// </summary>
    public MaskRcnn LoadDetector(double width)
    {
        var path = DetectorPath(RunDir, width);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{RunDir} holds no fine-tuned detector at width {width.ToString(CultureInfo.InvariantCulture)}: that width has not finished.", path);
        var detector = new MaskRcnn(backbone.Create(Config.Seed), width, Config.Detector(backbone.InChannels, data.Train.NumClasses), Config.Seed + 1);
        var (tensors, meta) = Safetensors.Load(path);
        try
        {
            if (!meta.TryGetValue("format", out var format) || format != DetectorFormat)
                throw new InvalidDataException($"{path} is not a fine-tuned detector (format '{format ?? "missing"}').");
            detector.load_state_dict(tensors);
            detector.to(device);
            detector.eval();
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>A new run in <paramref name="runDir"/> (created; it must not hold a run already).</summary>
    public static DetectFinetuner Start(DetectFinetuneConfig config, string runDir)
    {
        config.Validate("detection config");
        if (File.Exists(Path.Combine(runDir, "config.json")))
            throw new InvalidOperationException($"{runDir} already holds a detection run; resume it, or pick a new folder.");
        var run = new DetectFinetuner(runDir, config);
        Directory.CreateDirectory(Path.Combine(runDir, "checkpoints"));
        File.WriteAllText(Path.Combine(runDir, "config.json"), System.Text.Json.JsonSerializer.Serialize(config, ConfigJson.Options));
        MetricsLog.Create(run.MetricsPath).Dispose();
        run.NewResults().Write(ResultsPath(runDir));
        return run;
    }

    /// <summary>Continues the run in <paramref name="runDir"/>: finished widths are kept, the width in progress resumes from its checkpoint.</summary>
    public static DetectFinetuner Resume(string runDir)
    {
        var configPath = Path.Combine(runDir, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDir} holds no detection run (no config.json).", configPath);
        return new DetectFinetuner(runDir, ReadConfig(File.ReadAllText(configPath)));
    }

    /// <summary>A run's config.json; an unknown key is an error naming it.</summary>
    public static DetectFinetuneConfig ReadConfig(string json)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<DetectFinetuneConfig>(json, ConfigJson.Options)
                ?? throw new ArgumentException("The detection config JSON is empty (null).");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"Invalid detection config: {e.Message}", e);
        }
    }

    private DetectResults NewResults() => new()
    {
        Arch = Config.Arch, Init = backbone.Checkpoint is null ? "random" : "pretrained", Checkpoint = backbone.Checkpoint is null ? null : Path.GetFullPath(backbone.Checkpoint),
        Data = Config.Data, BackboneNorm = SnakeCaseName(Config.BackboneNorm), Widths = Config.Widths,
    };

    private static string SnakeCaseName(Enum e) => US3L.Config.SnakeCase.Of(e.ToString());

    /// <summary>
    /// Fine-tunes and evaluates every width that has no result yet. <paramref name="ct"/> is checked
    /// before every iteration: a cancellation saves the width's checkpoint and returns the results so
    /// far (<see cref="DetectResults.Complete"/> false).
    /// </summary>
    public DetectResults Run(CancellationToken ct = default, IProgress<DetectProgress>? progress = null)
    {
        var results = DetectResults.Read(ResultsPath(RunDir));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Config.Widths.Length && !ct.IsCancellationRequested; i++)
        {
            var width = Config.Widths[i];
            if (results.At(width) is not null) continue;
            var done = FineTune(width, i, results.Results.LastOrDefault()?.MetricsLines ?? 0, ct, progress);
            if (done is null) break;
            results.Results.Add(done);
            results.Write(ResultsPath(RunDir));
            var checkpoint = CheckpointPath(RunDir, width);
            if (File.Exists(checkpoint)) File.Delete(checkpoint);
        }
        var last = results.Results.LastOrDefault()?.MetricsLines ?? 0;
        if (results.Complete)
        {
            using var log = MetricsLog.Reopen(MetricsPath, last);
            log.Write(new Dictionary<string, object?> { ["kind"] = "end", ["widths"] = results.Results.Count, ["seconds"] = clock.Elapsed.TotalSeconds });
        }
        return results;
    }

    /// <summary>Fine-tunes one width; null when interrupted (its checkpoint is saved).</summary>
    private DetectWidthResult? FineTune(double width, int index, long linesBefore, CancellationToken ct, IProgress<DetectProgress>? progress)
    {
        var c = Config;
        using var scope = torch.NewDisposeScope();
        using var detector = new MaskRcnn(backbone.Create(c.Seed), width, c.Detector(backbone.InChannels, data.Train.NumClasses), c.Seed + 1);
        detector.to(device);
        detector.Generator = new Generator(c.Seed + 2 + index);
        using var samplerGenerator = detector.Generator;
        using var optimizer = new SGD(detector.parameters().Where(p => p.requires_grad).ToList(), c.Lr, c.Momentum, weight_decay: c.WeightDecay);
        var loader = new DetectionLoader(data.Train, c.BatchSize, shuffle: true, seed: c.Seed, transform: new DetectionHorizontalFlip(c.Flip));
        var checkpoint = CheckpointPath(RunDir, width);
        var position = File.Exists(checkpoint) ? LoadCheckpoint(checkpoint, detector, optimizer) : new Position(0, 0, 0, linesBefore, 0, Array.Empty<double>());
        using var log = MetricsLog.Reopen(MetricsPath, position.MetricsLines);
        if (position.Iteration == 0) Calibrate(detector, loader, width, log, progress, index);

        var clock = Stopwatch.StartNew();
        var recent = new Queue<double>(position.RecentLosses);
        var perEpoch = loader.BatchesPerEpoch;
        var warmup = Math.Min(c.WarmupIters, perEpoch - 1);
        detector.train();
        for (var epoch = position.Epoch; epoch < c.Epochs; epoch++)
        {
            foreach (var batch in loader.Epoch(epoch, epoch == position.Epoch ? position.Batch : 0))
                using (batch)
                {
                    if (ct.IsCancellationRequested)
                    {
                        SaveCheckpoint(checkpoint, detector, optimizer, position with { Seconds = position.Seconds + clock.Elapsed.TotalSeconds, RecentLosses = recent.ToArray() }, log);
                        return null;
                    }
                    var step = Stopwatch.StartNew();
                    var lr = LearningRate(epoch, position.Iteration, warmup);
                    foreach (var g in optimizer.param_groups) g.lr = lr;
                    var loss = Step(detector, optimizer, batch);
                    if (!double.IsFinite(loss.Total))
                        throw new NonFiniteLossException(epoch, position.Iteration, width, loss.Total, File.Exists(checkpoint) ? checkpoint : null);
                    position = position with { Epoch = epoch, Batch = batch.Index + 1, Iteration = position.Iteration + 1 };
                    recent.Enqueue(loss.Total);
                    if (recent.Count > 20) recent.Dequeue();
                    var imagesPerSecond = batch.Size / step.Elapsed.TotalSeconds;
                    if ((position.Iteration - 1) % c.LogEvery == 0)
                    {
                        var line = new Dictionary<string, object?>
                        {
                            ["kind"] = "iteration", ["width"] = width, ["epoch"] = epoch, ["batch"] = batch.Index, ["iteration"] = position.Iteration - 1,
                            ["lr"] = lr, ["loss"] = loss.Total, ["images_per_second"] = imagesPerSecond,
                        };
                        foreach (var (k, v) in loss.Parts) line[k] = v;
                        log.Write(line);
                        position = position with { MetricsLines = log.Lines };
                    }
                    progress?.Report(new DetectProgress(width, index, c.Widths.Length, "train", epoch, c.Epochs, batch.Index + 1, perEpoch, position.Iteration,
                        loss.Total, imagesPerSecond));
                }
            position = position with { Epoch = epoch + 1, Batch = 0 };
            if ((epoch + 1) % c.CheckpointEvery == 0 && epoch + 1 < c.Epochs)
                SaveCheckpoint(checkpoint, detector, optimizer, position with { Seconds = position.Seconds + clock.Elapsed.TotalSeconds, RecentLosses = recent.ToArray() }, log);
        }
        var trainSeconds = position.Seconds + clock.Elapsed.TotalSeconds;
        var (box, mask, evalImages, evalSeconds) = Evaluate(detector, width, index, progress, ct);
        if (ct.IsCancellationRequested && evalImages < EvalCount)
        {
            SaveCheckpoint(checkpoint, detector, optimizer, position with { Seconds = trainSeconds, RecentLosses = recent.ToArray() }, log);
            return null;
        }
        var cost = detector.Backbone.Body.Cost(width, c.MinSize);
        SaveDetector(DetectorPath(RunDir, width), detector);
        log.Write(new Dictionary<string, object?>
        {
            ["kind"] = "eval", ["width"] = width, ["images"] = evalImages, ["seconds"] = evalSeconds,
            ["box"] = box.ToArray(), ["mask"] = mask.ToArray(), ["backbone_macs"] = cost.Macs,
        });
        return new DetectWidthResult
        {
            Width = width, BackboneMacs = cost.Macs, BackboneParams = cost.Params, InputSize = c.MinSize, Box = box, Mask = mask,
            EvalImages = evalImages, Iterations = position.Iteration, FinalLoss = recent.Count > 0 ? recent.Average() : double.NaN,
            TrainSeconds = trainSeconds, EvalSeconds = evalSeconds, MetricsLines = log.Lines,
        };
    }

    /// <summary>torchvision's reference schedule: a linear warm-up over the first iterations of epoch 0, then ×γ at each step epoch.</summary>
    internal double LearningRate(int epoch, long iteration, int warmup)
    {
        var c = Config;
        var lr = c.Lr * Math.Pow(c.LrGamma, c.LrSteps.Count(s => epoch >= s));
        if (epoch == 0 && warmup > 0 && iteration < warmup)
            lr *= c.WarmupFactor + (1 - c.WarmupFactor) * iteration / warmup;
        return lr;
    }

    private sealed record StepLoss(double Total, IReadOnlyDictionary<string, double> Parts);

    private StepLoss Step(MaskRcnn detector, Optimizer optimizer, DetectionBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        var images = batch.Samples.Select(s => s.Image.to(device)).ToArray();
        var targets = batch.Samples.Select(s => { using var t = s.Target.ForTraining(); return t.To(device); }).ToArray();
        try
        {
            using var losses = detector.Losses(images, targets);
            optimizer.zero_grad();
            losses.Total.backward();
            optimizer.step();
            return new StepLoss(losses.Total.item<float>(), losses.Values());
        }
        finally
        {
            foreach (var t in targets) t.Dispose();
        }
    }

    /// <summary>science.md 6.3: the backbone's BN statistics at <paramref name="width"/>, averaged over training batches as the detector sees them.</summary>
    private void Calibrate(MaskRcnn detector, DetectionLoader loader, double width, MetricsLog log, IProgress<DetectProgress>? progress, int index)
    {
        var c = Config;
        progress?.Report(new DetectProgress(width, index, c.Widths.Length, "calibrate", 0, c.Epochs, 0, loader.BatchesPerEpoch, 0, double.NaN, 0));
        IEnumerable<Tensor> Batches()
        {
            foreach (var batch in loader.Epoch(0))
                using (batch)
                {
                    var (list, _) = detector.Transform.Apply(batch.Samples.Select(s => s.Image.to(device)).ToArray(), null, training: false, null);
                    using (list) yield return list.Tensors;
                }
        }
        var used = BnCalibration.Calibrate(detector.Backbone.Body, width, Batches(), momentum: null, maxBatches: c.CalibrationBatches);
        // The calibration's cumulative average ends here: during fine-tuning the running statistics
        // follow the changing weights with PyTorch's default momentum (science.md 10.6), the same
        // value a resumed run's BNs start with.
        foreach (var bn in detector.Backbone.Body.modules().OfType<US3L.Torch.nn.BatchNormBase>()) bn.momentum = FineTuneBnMomentum;
        log.Write(new Dictionary<string, object?> { ["kind"] = "calibration", ["width"] = width, ["batches"] = used });
    }

    private int EvalCount => Config.EvalImages <= 0 ? data.Val.Count : Math.Min(Config.EvalImages, data.Val.Count);

    private (CocoSummary Box, CocoSummary Mask, int Images, double Seconds) Evaluate(MaskRcnn detector, double width, int index,
        IProgress<DetectProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var evaluator = new CocoEvaluator(data.Val.NumClasses);
        var count = EvalCount;
        detector.eval();
        var batches = (count + Config.EvalBatchSize - 1) / Config.EvalBatchSize;
        var threshold = detector.Options.MaskThreshold;
        for (var b = 0; b < batches && !ct.IsCancellationRequested; b++)
        {
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(b * Config.EvalBatchSize, Math.Min(Config.EvalBatchSize, count - b * Config.EvalBatchSize)).ToArray();
            var samples = indices.Select(data.Val.Get).ToArray();
            try
            {
                var detections = detector.Detect(samples.Select(s => s.Image.to(device)).ToArray());
                for (var i = 0; i < indices.Length; i++)
                    using (detections[i])
                        evaluator.Add(data.Val.GroundTruth(indices[i]), detections[i].ToPredictions(threshold));
            }
            finally
            {
                foreach (var s in samples) s.Dispose();
            }
            progress?.Report(new DetectProgress(width, index, Config.Widths.Length, "evaluate", Config.Epochs, Config.Epochs, b + 1, batches, 0, double.NaN, 0));
        }
        detector.train();
        if (evaluator.ImageCount < count) return (Empty(), Empty(), evaluator.ImageCount, clock.Elapsed.TotalSeconds);
        return (evaluator.Evaluate(IouType.Box).Summary, evaluator.Evaluate(IouType.Mask).Summary, evaluator.ImageCount, clock.Elapsed.TotalSeconds);
    }

    private static CocoSummary Empty() => new(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);

    /// <summary>Where a width's training continues; <see cref="RecentLosses"/> are the last losses its final loss averages.</summary>
    private sealed record Position(int Epoch, int Batch, long Iteration, long MetricsLines, double Seconds, double[] RecentLosses);

    private static void SaveCheckpoint(string path, MaskRcnn detector, Optimizer optimizer, Position position, MetricsLog log)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, v) in detector.state_dict()) tensors["model." + k] = v;
        foreach (var (k, v) in optimizer.state_dict()) tensors["optimizer." + k] = v;
        tensors["rng.sampler"] = detector.Generator!.get_state();
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format, ["width"] = detector.Width.ToString("R", CultureInfo.InvariantCulture),
            ["epoch"] = Text(position.Epoch), ["batch"] = Text(position.Batch), ["iteration"] = Text(position.Iteration),
            ["metrics_lines"] = Text(log.Lines), ["seconds"] = position.Seconds.ToString("R", CultureInfo.InvariantCulture),
            ["recent_losses"] = string.Join(",", position.RecentLosses.Select(l => l.ToString("R", CultureInfo.InvariantCulture))),
        };
        Safetensors.Save(path, tensors, meta);
    }

    private void SaveDetector(string path, MaskRcnn detector)
    {
        using var scope = torch.NewDisposeScope();
        var meta = new Dictionary<string, string>
        {
            ["format"] = DetectorFormat, ["arch"] = Config.Arch, ["width"] = detector.Width.ToString("R", CultureInfo.InvariantCulture),
        };
        // Safetensors.Save writes through a temporary file of its own, so the file appears whole or not at all.
        Safetensors.Save(path, detector.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value), meta);
    }

    private static Position LoadCheckpoint(string path, MaskRcnn detector, Optimizer optimizer)
    {
        var (tensors, meta) = Safetensors.Load(path);
        try
        {
            if (!meta.TryGetValue("format", out var format) || format != Format)
                throw new InvalidDataException($"{path} is not a detection fine-tuning checkpoint (format '{format ?? "missing"}').");
            detector.load_state_dict(Training.Checkpoint.Prefixed(tensors, "model."));
            optimizer.load_state_dict(Training.Checkpoint.Prefixed(tensors, "optimizer."));
            detector.Generator!.set_state(tensors["rng.sampler"]);
            return new Position(int.Parse(meta["epoch"], CultureInfo.InvariantCulture), int.Parse(meta["batch"], CultureInfo.InvariantCulture),
                long.Parse(meta["iteration"], CultureInfo.InvariantCulture), long.Parse(meta["metrics_lines"], CultureInfo.InvariantCulture),
                double.Parse(meta["seconds"], CultureInfo.InvariantCulture),
                meta["recent_losses"].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray());
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"{path} is incomplete: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);

    public void Dispose() { }
}
