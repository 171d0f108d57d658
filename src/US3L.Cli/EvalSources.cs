using System.CommandLine;
using System.Globalization;
using US3L.Augmentation;
using US3L.Data;
using US3L.Models;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.Serialization;
using US3L.Training;

namespace US3L.Cli;

/// <summary>
/// Where the evaluation commands get their backbone: a safetensors checkpoint or a random
/// initialisation. The checkpoint contract: a safetensors file of the backbone's state_dict (its own
/// key names, e.g. conv1.weight, layer1.0.bn1.weight). When some keys start with "backbone.", only
/// those are read, prefix stripped, so a file that also holds projector or teacher tensors works; a
/// pretraining checkpoint (checkpoints/last.safetensors of a run) gives its online backbone, the keys
/// under "model.backbone." (science.md 6.4). BN running statistics are optional.
/// </summary>
internal sealed class WeightOptions
{
    public const string CheckpointContract =
        "safetensors file of the backbone's state_dict: keys are the backbone's own names (conv1.weight, layer1.0.bn1.weight, ...); " +
        "if some keys start with 'backbone.', only those are read, with the prefix stripped; a run's checkpoints/last.safetensors " +
        "gives its online backbone ('model.backbone.'). BN running statistics are optional.";

    public readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Backbone weights: a " + CheckpointContract };
    public readonly Option<bool> RandomInit = new("--random-init") { Description = "Use a randomly initialised backbone instead of a checkpoint (the floor of science.md 8.2)" };
    public readonly Option<long> Seed = new("--seed") { Description = "Seed of --random-init (and recorded with the results)", DefaultValueFactory = _ => 0 };
    public readonly Option<string> Arch = new("--arch") { Description = "Architecture: " + string.Join(", ", ModelRegistry.Names), Required = true };
    public readonly Option<int> Divisor = new("--divisor") { Description = "Channel rounding divisor (8; 4 for the fast mini model)", DefaultValueFactory = _ => 8 };
    public readonly Option<string?> WidthsList = new("--widths-list")
    {
        Description = "S-Net / DSPNet: the fixed widths the network runs at, e.g. 0.25,0.5,0.75,1.0 (science.md 6.9); default: read from a pretraining checkpoint's config",
    };
    public readonly Option<bool> SwitchableBn = new("--switchable-bn") { Description = "S-Net / DSPNet: a private BN per width of --widths-list (science.md 6.9)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(RandomInit);
        command.Options.Add(Seed);
        command.Options.Add(Arch);
        command.Options.Add(Divisor);
        command.Options.Add(WidthsList);
        command.Options.Add(SwitchableBn);
    }

    /// <summary>"random init (seed 0)" or the checkpoint path: how results name their weights.</summary>
    public string Describe(ParseResult parse) =>
        parse.GetValue(RandomInit) ? $"random-init (seed {parse.GetValue(Seed)})" : parse.GetValue(Checkpoint)!;

    /// <summary>
    /// Builds the backbone for images with <paramref name="inChannels"/> channels and loads its
    /// weights; <paramref name="metadata"/> is the checkpoint's (empty for a random init).
    /// </summary>
    public SlimmableNetwork Build(ParseResult parse, int inChannels, out IReadOnlyDictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>();
        var arch = parse.GetValue(Arch)!;
        var checkpoint = parse.GetValue(Checkpoint);
        var random = parse.GetValue(RandomInit);
        if (random == (checkpoint is not null))
            throw new ArgumentException("give exactly one of --checkpoint FILE and --random-init.");
        if (!ModelRegistry.Names.Contains(arch))
            throw new ArgumentException($"--arch: unknown architecture '{arch}'; expected one of {string.Join(", ", ModelRegistry.Names)}.");
        if (checkpoint is not null && !File.Exists(checkpoint))
            throw new ArgumentException($"--checkpoint: file not found: {checkpoint}");
        var (widthsList, switchable) = FixedWidths(parse, checkpoint);
        var options = new ModelOptions
        {
            InChannels = inChannels, Divisor = parse.GetValue(Divisor), Seed = random ? parse.GetValue(Seed) : null,
            WidthsList = widthsList, SwitchableBn = switchable,
        };
        var model = ModelRegistry.Create(arch, options);
        try
        {
            if (checkpoint is not null) metadata = Load(model, checkpoint);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The S-Net options: --widths-list and --switchable-bn as given, or, when neither is, those of
    /// the pretraining config a run's checkpoint carries in its metadata.
    /// </summary>
    private (IReadOnlyList<double>? Widths, bool Switchable) FixedWidths(ParseResult parse, string? checkpoint)
    {
        var text = parse.GetValue(WidthsList);
        var switchable = parse.GetValue(SwitchableBn);
        if (text is not null)
            try
            {
                return (BenchCommands.ParseWidths(text), switchable);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException("--widths-list" + e.Message["--widths".Length..]);
            }
        if (switchable) throw new ArgumentException("--switchable-bn keeps a private BN per width of a fixed list: give the list with --widths-list.");
        if (checkpoint is null) return (null, false);
        Dictionary<string, string> metadata;
        try
        {
            metadata = Safetensors.ReadHeader(checkpoint).metadata;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            return (null, false);
        }
        if (!metadata.TryGetValue("config", out var json)) return (null, false);
        var config = ConfigJson.Read(json);
        return config.SwitchableBn ? (config.FixedWidths, true) : (null, false);
    }

    /// <summary>
    /// Loads a backbone checkpoint into <paramref name="model"/> and returns its metadata; every
    /// problem is one line naming the file. A pretraining checkpoint (keys under <c>model.backbone.</c>)
    /// gives its online backbone.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Load(SlimmableNetwork model, string path)
    {
        OrderedDictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        try
        {
            (tensors, metadata) = Safetensors.Load(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or TorchException)
        {
            throw new ArgumentException($"{path}: not a readable safetensors checkpoint ({OneLine(e.Message)}).", e);
        }
        try
        {
            if (metadata.TryGetValue("arch", out var arch) && arch != model.Arch)
                throw new ArgumentException($"{path}: the checkpoint is for {arch}, not --arch {model.Arch}.");
            var prefix = new[] { "model.backbone.", "backbone." }.FirstOrDefault(p => tensors.Keys.Any(k => k.StartsWith(p, StringComparison.Ordinal)));
            var state = prefix is not null
                ? tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value)
                : tensors.ToDictionary(p => p.Key, p => p.Value);
            var norms = model.modules().OfType<BatchNormBase>().ToList();
            if (state.Keys.Any(k => k.EndsWith(".running_mean", StringComparison.Ordinal)))
                foreach (var bn in norms) bn.CreateRunningStats();
            LoadResult result;
            try
            {
                result = model.load_state_dict(state, strict: false);
            }
            catch (ArgumentException)
            {
                var problems = StateDictFit.Problems(model, state, IsRunningStat);
                throw new ArgumentException($"{path}: does not fit {model.Arch} ({problems}). Is --arch (or --divisor, --widths-list) right?");
            }
            var missing = result.missing_keys.Where(k => !IsRunningStat(k)).ToList();
            if (result.unexpected_keys.Count > 0 || missing.Count > 0)
                throw new ArgumentException(
                    $"{path}: does not fit {model.Arch}: {Keys("unknown", result.unexpected_keys)}{(result.unexpected_keys.Count > 0 && missing.Count > 0 ? "; " : "")}" +
                    $"{Keys("missing", missing)}. Expected the backbone's state_dict (optionally under 'backbone.' or 'model.backbone.'); is --arch right?" +
                    (result.unexpected_keys.Any(k => k.Contains(".bn.0.", StringComparison.Ordinal)) ? " Its BNs are switchable (bn.0, bn.1, ...): add --widths-list and --switchable-bn." : ""));
            return metadata;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Whether every BatchNorm of the model has running statistics (loaded from a calibrated checkpoint).</summary>
    public static bool HasRunningStats(Module model) =>
        model.modules().OfType<BatchNormBase>().All(bn => bn.running_mean is not null);

    private static bool IsRunningStat(string key) =>
        key.EndsWith(".running_mean", StringComparison.Ordinal) || key.EndsWith(".running_var", StringComparison.Ordinal) ||
        key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static string Keys(string what, IReadOnlyList<string> keys) => keys.Count == 0 ? ""
        : $"{keys.Count} {what} key(s) ({string.Join(", ", keys.Take(3))}{(keys.Count > 3 ? ", ..." : "")})";

    internal static string OneLine(string message) =>
        string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}

/// <summary>The evaluation data: a training subset (kNN bank, probe training set, BN calibration) and a test subset.</summary>
internal sealed class DataOptions
{
    public static readonly IReadOnlyList<string> Datasets = new[] { "fashion-mnist", "cifar10", "cifar100", "synthetic" };

    public readonly Option<string> Dataset = new("--dataset") { Description = "Data set: " + string.Join(", ", Datasets), DefaultValueFactory = _ => "fashion-mnist" };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Data folder (default: the data set's usual location)" };
    public readonly Option<int> TrainSubset;
    public readonly Option<int> TestSubset = new("--test-subset") { Description = "First N test images: the queries (0 = all)", DefaultValueFactory = _ => 2_000 };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 256 };

    /// <param name="trainSubsetDefault">Default of --train-subset (0 = all).</param>
    /// <param name="trainSubsetUse">What the training images are for, in --train-subset's help.</param>
    public DataOptions(int trainSubsetDefault = 10_000, string trainSubsetUse = "kNN bank, probe training set, BN calibration") =>
        TrainSubset = new("--train-subset") { Description = $"First N training images: {trainSubsetUse} (0 = all)", DefaultValueFactory = _ => trainSubsetDefault };

    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(DataDir);
        command.Options.Add(TrainSubset);
        command.Options.Add(TestSubset);
        command.Options.Add(BatchSize);
    }

    public (InMemoryImageDataset train, InMemoryImageDataset test) Load(ParseResult parse)
    {
        var name = parse.GetValue(Dataset)!;
        var dir = parse.GetValue(DataDir);
        var train = Subset(parse.GetValue(TrainSubset), "--train-subset");
        var test = Subset(parse.GetValue(TestSubset), "--test-subset");
        return name switch
        {
            "fashion-mnist" => (FashionMnist.Load(true, dir, train), FashionMnist.Load(false, dir, test)),
            "cifar10" => (Cifar.Load10(Folder(dir, name), true, train), Cifar.Load10(Folder(dir, name), false, test)),
            "cifar100" => (Cifar.Load100(Folder(dir, name), true, subset: train), Cifar.Load100(Folder(dir, name), false, subset: test)),
            "synthetic" => (train.Apply(SyntheticShapes.Generate(train.Count ?? 10_000, seed: 1)),
                            test.Apply(SyntheticShapes.Generate(test.Count ?? 2_000, seed: 2))),
            _ => throw new ArgumentException($"--dataset: unknown data set '{name}'; expected one of {string.Join(", ", Datasets)}."),
        };
    }

    private static string Folder(string? dir, string name) =>
        dir ?? throw new ArgumentException($"--dataset {name} needs --data-dir (data-scripts/{name}.sh downloads it).");

    public int Batch(ParseResult parse) => Positive(parse.GetValue(BatchSize), "--batch-size");

    private static Subset Subset(int count, string option) => count switch
    {
        0 => US3L.Data.Subset.All,
        > 0 => US3L.Data.Subset.First(count),
        _ => throw new ArgumentException($"{option} must be 0 (all) or a positive image count, got {count}."),
    };

    internal static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, got {value}.");

    internal static string Invariant(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
