using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Data;
using US3L.Evaluation;

namespace US3L.Cli;

/// <summary>
/// `us3l semisup`: semi-supervised fine-tuning per width (science.md 6.8). For each width a fresh
/// copy of the backbone is fine-tuned whole, with a new classifier, on the labelled fraction of the
/// training set (class-balanced and seeded, or the images of a SimCLR split file for an ImageNet
/// folder), and its test top-1 reported.
/// </summary>
internal static class SemisupCommand
{
    public static Command Create()
    {
        var command = new Command("semisup",
            "Semi-supervised fine-tuning per width on 1 % or 10 % of the labels: the whole network at the width plus a new classifier (science.md 6.8)");
        var weights = new WeightOptions();
        var data = new DataOptions(trainSubsetDefault: 0, trainSubsetUse: "the pool the labelled fraction is drawn from");
        weights.AddTo(command);
        data.AddTo(command);
        var widths = EvalOptions.Widths("1.0,0.75,0.5,0.25");
        var fraction = new Option<double>("--fraction") { Description = "Share of the training images that keep their labels: 0.01 or 0.1", Required = true };
        var profile = new Option<string>("--profile") { Description = "Length: smoke, short or full (the reference's fine-tuning recipe)", DefaultValueFactory = _ => "short" };
        var splitFile = new Option<string?>("--split-file")
        {
            Description = "ImageNet: the SimCLR protocol's list of labelled images (1percent.txt or 10percent.txt), with --dataset image-folder",
        };
        var labelSeed = new Option<long?>("--label-seed") { Description = "Seed of the labelled subset (default: --seed)" };
        var epochs = new Option<int?>("--epochs") { Description = "Fine-tuning epochs (default: the profile's)" };
        var backboneLr = new Option<double?>("--backbone-lr") { Description = "Backbone learning rate (default 0.01, the reference's fine-tuning rate)" };
        var headLr = new Option<double?>("--head-lr") { Description = "Classifier learning rate (default 0.1)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per width (with its protocol) instead of a table" };
        var results = new Option<string?>("--results") { Description = "Also append the JSON lines to this file" };
        foreach (var o in new Option[] { widths, fraction, profile, splitFile, labelSeed, epochs, backboneLr, headLr, json, results }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var dataset = parse.GetValue(data.Dataset)!;
            var seed = parse.GetValue(weights.Seed);
            var f = parse.GetValue(fraction);
            if (!(f > 0 && f <= 1)) throw new ArgumentException($"--fraction must be in (0, 1], e.g. 0.01 or 0.1; got {f}.");
            var options = SemiSupervisedOptions.For(dataset, EvalProfiles.Check(parse.GetValue(profile)!), f, parse.GetValue(labelSeed) ?? seed);
            if (parse.GetValue(epochs) is { } count)
                options = options with { Epochs = DataOptions.Positive(count, "--epochs"), Milestones = EvalProfiles.Milestones(count) };
            if (parse.GetValue(backboneLr) is { } blr) options = options with { BackboneLr = blr };
            if (parse.GetValue(headLr) is { } hlr) options = options with { HeadLr = hlr };
            var widthList = BenchCommands.ParseWidths(parse.GetValue(widths)!);
            var (pool, labelled, test, source) = Load(parse, data, dataset, parse.GetValue(splitFile), options);

            // Every width is checked before the first one trains, so a bad one loses no work.
            using (var first = weights.Build(parse, labelled.Channels, out _))
                foreach (var w in widthList)
                    try
                    {
                        first.CheckWidth(w);
                    }
                    catch (ArgumentOutOfRangeException e)
                    {
                        throw new ArgumentException($"--widths: {e.Message}");
                    }
            var rows = new List<(EvalResult Row, string Line)>();
            using (var progress = new Progress("semisup", options.BatchesPerWidth(labelled.Count, test.Count) * widthList.Length))
                foreach (var w in widthList)
                {
                    progress.Status = $"width {DataOptions.Invariant(w)}";
                    using var model = weights.Build(parse, labelled.Channels, out var meta);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var r = SemiSupervisedFinetune.Run(model, w, labelled, test, options, () => progress.Advance());
                    var protocol = new EvalProtocol(dataset, true, seed, meta.TryGetValue("profile", out var p) ? p : null);
                    var row = EvalResult.FromSemiSupervised(r, protocol, model.Cost(w, labelled.Height).Macs, clock.Elapsed.TotalSeconds);
                    var node = JsonNode.Parse(ResultsFile.ToJson(row))!.AsObject();
                    node["arch"] = model.Arch;
                    node["weights"] = weights.Describe(parse);
                    node["labels"] = source;
                    node["pool_count"] = pool;
                    rows.Add((row, node.ToJsonString()));
                }
            if (parse.GetValue(json)) foreach (var (_, line) in rows) Console.WriteLine(line);
            else
            {
                var o = options;
                Console.WriteLine($"semi-supervised fine-tuning (profile {o.Profile}: {o.Epochs} epochs, batch {o.BatchSize}, SGD momentum {o.Momentum.ToString(CultureInfo.InvariantCulture)}, " +
                    $"backbone lr {o.BackboneLr.ToString(CultureInfo.InvariantCulture)}, head lr {o.HeadLr.ToString(CultureInfo.InvariantCulture)}, x0.1 at epochs {string.Join(", ", o.Milestones)}, " +
                    $"WD {o.WeightDecay.ToString(CultureInfo.InvariantCulture)}, augmentation {o.TrainAugmentation}) on {dataset}: {labelled.Count} labelled images ({source}) of {pool}, " +
                    $"{test.Count} test images, {weights.Describe(parse)}");
                Console.WriteLine($"{"width",6}  {"F(w)",5}  {"MACs",8}  {"test",7}  {"train",7}");
                foreach (var (r, _) in rows)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Width,6:0.00#}  {r.FeatureDim,5}  {EvalOutput.Macs(r.Macs),8}  {r.Top1,7:0.0000}  {r.TrainTop1,7:0.0000}"));
            }
            if (parse.GetValue(results) is { } path)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                File.AppendAllLines(path, rows.Select(r => r.Line));
            }
        });
        return command;
    }

    /// <summary>The pool size, the labelled images, the test images and how the labels were chosen.</summary>
    private static (int Pool, ImageDataset Labelled, ImageDataset Test, string Source) Load(ParseResult parse, DataOptions data, string dataset,
        string? splitFile, SemiSupervisedOptions options)
    {
        if (dataset == "image-folder") return LoadFolder(parse, data, splitFile, options);
        if (splitFile is not null) throw new ArgumentException("--split-file names ImageNet images: use it with --dataset image-folder.");
        var (train, test) = data.Load(parse);
        var indices = LabelFraction.Indices(train, options.Fraction, options.Seed);
        return (train.Count, train.Select(indices, $"{train.Name}[{options.Fraction} labelled]"), test,
            $"class-balanced {options.Fraction}, seed {options.Seed}");
    }

    /// <summary>An ImageNet-style folder with train/ and val/: labels from a split file, or a class-balanced fraction.</summary>
    private static (int, ImageDataset, ImageDataset, string) LoadFolder(ParseResult parse, DataOptions data, string? splitFile, SemiSupervisedOptions options)
    {
        var dir = parse.GetValue(data.DataDir) ?? throw new ArgumentException("--dataset image-folder needs --data-dir (a folder with train/ and val/).");
        var trainDir = Path.Combine(dir, "train");
        var valDir = Path.Combine(dir, "val");
        if (!Directory.Exists(trainDir) || !Directory.Exists(valDir))
            throw new ArgumentException($"--data-dir {dir}: expected the sub-folders train/ and val/, each with one folder per class.");
        var train = ImageFolderDataset.Open(trainDir);
        var val = ImageFolderDataset.Open(valDir);
        int[] indices;
        string source;
        if (splitFile is not null)
        {
            indices = LabelFraction.FromSplitFile(train, splitFile);
            var share = (double)indices.Length / train.Count;
            if (Math.Abs(share - options.Fraction) > 0.5 * options.Fraction)
                throw new ArgumentException($"--split-file {splitFile} lists {indices.Length} of {train.Count} images ({share:P2}), not --fraction {options.Fraction}.");
            source = $"split file {Path.GetFileName(splitFile)}";
        }
        else
        {
            indices = LabelFraction.Indices(train, options.Fraction, options.Seed);
            source = $"class-balanced {options.Fraction}, seed {options.Seed}";
        }
        var testCount = parse.GetValue(data.TestSubset);
        ImageDataset test = testCount > 0 && testCount < val.Count
            ? new IndexedDataset(val, Subset.Balanced(testCount, options.Seed + 1).Indices(val), $"{val.Name}[balanced {testCount}]")
            : val;
        return (train.Count, new IndexedDataset(train, indices, $"{train.Name}[{source}]"), test, source);
    }
}
