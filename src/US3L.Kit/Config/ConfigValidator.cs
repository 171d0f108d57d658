using US3L.Augmentation;
using US3L.Models;
using US3L.Sampling;
using US3L.Training;

namespace US3L.Config;

/// <summary>
/// Checks a resolved <see cref="PretrainConfig"/> before a run starts, so a bad value fails in the
/// first second with a message naming the key, instead of an hour into training. The one set of
/// ranges: the recipe loader and <see cref="Training.Pretrainer"/> (through its setup) both call it.
/// </summary>
public static class ConfigValidator
{
    /// <summary>Datasets a pretraining run can read (see <see cref="PretrainConfig.Dataset"/>).</summary>
    public static IReadOnlyList<string> Datasets { get; } = new[] { "fashion-mnist", "cifar10", "cifar100", "image-folder", "synthetic" };

    /// <summary>Every problem of <paramref name="c"/>, one sentence each; empty when the config is valid.</summary>
    public static IReadOnlyList<string> Problems(PretrainConfig c)
    {
        var p = new List<string>();
        void Require(bool ok, string problem) { if (!ok) p.Add(problem); }

        Require(Datasets.Contains(c.Dataset), $"dataset '{c.Dataset}' is unknown; expected one of {string.Join(", ", Datasets)}.");
        Require(c.TrainSubset >= 0, $"train_subset must be 0 (all) or a positive image count, got {c.TrainSubset}.");
        CheckAugmentation(c.Augmentation, p);
        Require(ModelRegistry.Names.Contains(c.Arch), $"arch '{c.Arch}' is unknown; expected one of {string.Join(", ", ModelRegistry.Names)}.");

        Require(c.WidthMax <= 1 && c.WidthMax > 0, $"width_max must be in (0, 1], got {c.WidthMax}.");
        Require(c.WidthMin > 0 && c.WidthMin <= c.WidthMax, $"width_min must be in (0, width_max = {c.WidthMax}], got {c.WidthMin}.");
        Require(c.ProjectorHidden >= 1 && c.ProjectorOut >= 1 && c.PredictorHidden >= 1,
            $"projector_hidden, projector_out and predictor_hidden must be positive, got {c.ProjectorHidden}, {c.ProjectorOut}, {c.PredictorHidden}.");

        // 1 keeps the teacher at its initial weights (a frozen random target): an ablation, not an error.
        Require(c.EmaMomentum is >= 0 and <= 1, $"ema_momentum must be in [0, 1], got {c.EmaMomentum}.");
        Require(c.DistillWeight >= 0, $"distill_weight must be >= 0, got {c.DistillWeight}.");
        p.AddRange(FeatureDistillProblems(c));
        Require(c.Temperature > 0, $"temperature must be positive, got {c.Temperature}.");
        Require(c.QueueSize >= 1, $"queue_size must be positive, got {c.QueueSize}.");
        Require(c.BaseLoss != BaseLoss.MocoV2 || c.QueueSize >= c.BatchSize,
            $"queue_size ({c.QueueSize}) must hold at least one batch (batch_size {c.BatchSize}) for moco_v2.");

        Require(!c.Distill || c.DistillHead != DistillHead.Shared || Methods.SslMethod.For(c.BaseLoss).HasPredictor,
            $"distill_head shared routes the sub-networks through the predictor, but base_loss {SnakeCase.Of(c.BaseLoss.ToString())} has none; use distill_head separate.");
        Require(c.NumWidths >= 1, $"num_widths must be at least 1, got {c.NumWidths}.");
        Require(c.Sampler != SamplerKind.DynamicA || c.Epochs >= DynamicSamplingA.Phases,
            $"sampler dynamic_a splits training into {DynamicSamplingA.Phases} phases and needs epochs >= {DynamicSamplingA.Phases}, got {c.Epochs}.");
        Require(c.FixedWidths.Length >= 1 || c.Sampler != SamplerKind.Fixed, "fixed_widths must list at least one width for sampler fixed.");
        if (c.Sampler == SamplerKind.Fixed)
            foreach (var w in c.FixedWidths)
                Require(w >= c.WidthMin && w <= c.WidthMax, $"fixed_widths: {w} is outside [width_min, width_max] = [{c.WidthMin}, {c.WidthMax}].");
        if (c.SwitchableBn)
        {
            Require(c.Sampler == SamplerKind.Fixed, $"switchable_bn keeps a private BN per width of fixed_widths, so it needs sampler fixed, got {SnakeCase.Of(c.Sampler.ToString())}.");
            Require(!c.Arch.StartsWith("us_vit", StringComparison.Ordinal), $"switchable_bn: arch '{c.Arch}' has no BatchNorm to make switchable.");
            Require(c.FixedWidths.Any(w => Math.Abs(w - c.WidthMax) < 1e-9), $"switchable_bn: fixed_widths must include width_max = {c.WidthMax}, the EMA teacher's width.");
            Require(c.FixedWidths.Distinct().Count() == c.FixedWidths.Length, $"switchable_bn: fixed_widths [{string.Join(", ", c.FixedWidths)}] lists a width twice.");
            foreach (var w in c.EvalWidths)
                Require(c.FixedWidths.Contains(w), $"eval_widths: {w} is not one of fixed_widths [{string.Join(", ", c.FixedWidths)}]; an S-Net (switchable_bn) runs at those widths only.");
        }
        Require(c.EvalWidths.Length >= 1, "eval_widths must list at least one width.");
        foreach (var w in c.EvalWidths)
            Require(w >= c.WidthMin && w <= c.WidthMax, $"eval_widths: {w} is outside [width_min, width_max] = [{c.WidthMin}, {c.WidthMax}].");

        Require(c.Epochs >= 1, $"epochs must be at least 1, got {c.Epochs}.");
        Require(c.BatchSize >= 2, $"batch_size must be at least 2 (batch statistics and contrastive losses need two samples), got {c.BatchSize}.");
        Require(c.TrainSubset == 0 || !c.DropLast || c.TrainSubset >= c.BatchSize,
            $"train_subset ({c.TrainSubset}) is smaller than batch_size ({c.BatchSize}) with drop_last: no batch would remain.");
        // 0 keeps the initial weights: the random-network control trained through the same pipeline.
        Require(c.Lr >= 0, $"lr must be >= 0, got {c.Lr}.");
        Require(c.WarmupEpochs >= 0 && (c.WarmupEpochs == 0 || c.WarmupEpochs < c.Epochs),
            $"warmup_epochs must be 0 or in [1, epochs = {c.Epochs}), got {c.WarmupEpochs}.");
        Require(c.WarmupEpochs == 0 || c.LrSchedule == LrSchedule.WarmupCosine,
            $"warmup_epochs ({c.WarmupEpochs}) needs lr_schedule warmup_cosine, got {SnakeCase.Of(c.LrSchedule.ToString())}.");
        // The cosine momentum counts one EMA update per iteration over the run's iterations.
        Require(c.EmaSchedule == EmaSchedule.Constant || c.EmaUpdate == EmaUpdate.OncePerIteration,
            $"ema_schedule cosine steps once per iteration, so it needs ema_update once_per_iteration, got {SnakeCase.Of(c.EmaUpdate.ToString())}.");
        Require(c.Momentum is >= 0 and < 1, $"momentum must be in [0, 1), got {c.Momentum}.");
        Require(c.WeightDecay >= 0, $"weight_decay must be >= 0, got {c.WeightDecay}.");
        Require(c.GroupRegLambda >= 0, $"group_reg_lambda must be >= 0, got {c.GroupRegLambda}.");
        Require(c.GroupRegBins >= 1, $"group_reg_bins must be at least 1, got {c.GroupRegBins}.");
        // science 5: c_i = λ(1 − α·i) for i < K must stay >= 0.
        Require(c.GroupRegAlpha >= 0 && c.GroupRegAlpha * (c.GroupRegBins - 1) <= 1,
            $"group_reg_alpha must be in [0, 1/(group_reg_bins − 1)] so that every coefficient stays >= 0, got {c.GroupRegAlpha} with {c.GroupRegBins} bins.");
        Require(c.GroupRegWarmupEpochs >= 0 && c.GroupRegWarmupEpochs <= c.Epochs,
            $"group_reg_warmup_epochs must be in [0, epochs = {c.Epochs}], got {c.GroupRegWarmupEpochs}.");

        CheckDevice(c.Device, p);
        Require(c.KnnEvery >= -1, $"knn_every must be >= -1 (0 = only at the end, -1 = never), got {c.KnnEvery}.");
        Require(c.KnnSubset >= 0, $"knn_subset must be >= 0 (0 = all), got {c.KnnSubset}.");
        Require(c.LogEvery >= 1, $"log_every must be at least 1, got {c.LogEvery}.");
        Require(c.MonitorEvery >= 0, $"monitor_every must be >= 0 (0 = never), got {c.MonitorEvery}.");
        Require(c.CheckpointEvery >= 0, $"checkpoint_every must be >= 0 (0 = only at the end), got {c.CheckpointEvery}.");
        return p;
    }

    /// <summary>
    /// The problems of the feature-distillation keys (science.md 3.7): the loss is added only to
    /// distilled sub-network steps and regresses on the EMA teacher's features, at US-BatchNorms of a
    /// ResNet (<see cref="FeatureLayers"/>).
    /// </summary>
    private static IReadOnlyList<string> FeatureDistillProblems(PretrainConfig c)
    {
        var p = new List<string>();
        if (!(c.FeatureDistillWeight >= 0)) p.Add($"feature_distill_weight must be >= 0, got {c.FeatureDistillWeight}.");
        if (!c.FeatureDistill) return p;
        if (!c.Distill)
            p.Add("feature_distill needs distill: true; the feature loss is part of the sub-networks' distillation (reference workers/ssl.py L249-257).");
        if (c.TargetSource != TargetSource.EmaTeacher)
            p.Add($"feature_distill regresses on the EMA teacher's features, so it needs target_source ema_teacher, got {SnakeCase.Of(c.TargetSource.ToString())}.");
        if (c.Sampler == SamplerKind.Fixed && c.FixedWidths.Length == 1)
            p.Add($"feature_distill distills sub-networks, but sampler fixed with the single width {c.FixedWidths[0]} trains none.");
        if (c.SwitchableBn)
            p.Add("feature_distill taps US-BatchNorm layers, which switchable_bn replaces; turn one of them off.");
        if (!ModelRegistry.Names.Contains(c.Arch)) return p; // reported as an unknown arch
        if (!FeatureLayers.Supports(c.Arch))
        {
            p.Add($"feature_distill is defined for the ResNets ({string.Join(", ", ModelRegistry.Names.Where(FeatureLayers.Supports))}); arch '{c.Arch}' has no feature layers.");
            return p;
        }
        var valid = FeatureLayers.Names(c.Arch);
        foreach (var layer in c.FeatureDistillLayers.Where(l => !valid.Contains(l)))
            p.Add($"feature_distill_layers: '{layer}' is not a US-BatchNorm of {c.Arch}; expected some of {string.Join(", ", valid)}.");
        foreach (var twice in c.FeatureDistillLayers.GroupBy(l => l).Where(g => g.Count() > 1))
            p.Add($"feature_distill_layers lists '{twice.Key}' more than once.");
        return p;
    }

    /// <summary>Throws a <see cref="ConfigException"/> listing every problem, or returns <paramref name="config"/>.</summary>
    public static PretrainConfig Validate(PretrainConfig config, string where)
    {
        var problems = Problems(config);
        if (problems.Count > 0) throw new ConfigException(where, null, string.Join(" ", problems));
        return config;
    }

    private static void CheckAugmentation(string name, List<string> problems)
    {
        if (!AugmentationRecipes.Names.Contains(name))
        {
            problems.Add($"augmentation '{name}' is unknown; expected one of {string.Join(", ", AugmentationRecipes.Names)}.");
            return;
        }
        if (!AugmentationRecipes.Get(name).IsTwoView)
            problems.Add($"augmentation '{name}' is a single-view evaluation recipe; pretraining needs a two-view one such as {string.Join(", ", AugmentationRecipes.Names.Where(n => AugmentationRecipes.Get(n).IsTwoView))}.");
    }

    private static void CheckDevice(string device, List<string> problems)
    {
        try
        {
            US3L.Torch.Device.Parse(device);
        }
        catch (ArgumentException)
        {
            problems.Add($"device '{device}' is not a device; expected cpu, cuda or cuda:N.");
        }
    }
}
