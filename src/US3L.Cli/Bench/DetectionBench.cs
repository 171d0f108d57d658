using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Detection;
using US3L.Models;
using US3L.Torch;
using US3L.Torch.Serialization;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench detect`: a Mask R-CNN (FPN) train step (losses, backward, SGD step) on a batch of
/// synthetic images with objects, the kit's detector on a slimmable backbone at each width against
/// torchvision's MaskRCNN built as the same plain network (Bench/detection_bench_pytorch.py), in
/// interleaved rounds (<see cref="InterleavedComparison"/>). Both sides run the same network with the
/// same weights on the same batch: the kit's detector is handed over as its fixed-width state_dict
/// (<see cref="MaskRcnn.FixedWidthStateDict"/>, torchvision's names), which torchvision's model loads
/// strictly. The kit slices its slimmable weights to the width in every step; torchvision's network
/// is built at that width. Prints one JSON object per width.
/// </summary>
internal static class DetectionBench
{
    internal sealed record Options(string Arch, double[] Widths, int Batch, int Size, int Objects, int Classes, int Rois, ComparisonPlan Plan,
        int Threads, bool WithPyTorch);

    /// <summary>The learning rate of both sides' SGD (momentum 0.9, weight decay 1e-4): small, so random weights stay finite over the steps.</summary>
    private const double Lr = 1e-3;

    private const long Seed = 0;

    public static Command Create()
    {
        var arch = new Option<string>("--arch")
        {
            Description = "Backbone (a US-ResNet with torchvision's ImageNet layout: us_resnet18, us_resnet50)", DefaultValueFactory = _ => "us_resnet50",
        };
        var widths = new Option<string>("--widths") { Description = "Comma-separated backbone widths, one detector each", DefaultValueFactory = _ => "1.0,0.5" };
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 2 };
        var size = new Option<int>("--size") { Description = "Side of the square images (the detector's min and max size, so they are not resized)", DefaultValueFactory = _ => 320 };
        var objects = new Option<int>("--objects") { Description = "Objects per image", DefaultValueFactory = _ => 4 };
        var classes = new Option<int>("--classes") { Description = "Object classes (COCO: 90, torchvision's num_classes 91)", DefaultValueFactory = _ => 90 };
        var rois = new Option<int>("--rois")
        {
            Description = "Proposals sampled per image for the RoI heads (torchvision's box_batch_size_per_image)", DefaultValueFactory = _ => 512,
        };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per width; each runs ours, PyTorch, PyTorch, ours", DefaultValueFactory = _ => 5 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per slot of a round", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps per side before each width's rounds", DefaultValueFactory = _ => 1 };
        var threads = BenchThreads.CreateOption();
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the torchvision comparison" };
        var command = new Command("detect", "Mask R-CNN (FPN) train step per backbone width: ours vs torchvision's MaskRCNN in interleaved rounds, images per second")
        {
            arch, widths, batch, size, objects, classes, rois, rounds, steps, warmup, threads, noPyTorch,
        };
        command.SetAction(parse =>
        {
            var a = parse.GetValue(arch)!;
            if (!ModelRegistry.Names.Contains(a)) throw new ArgumentException($"--arch: '{a}' is unknown; expected us_resnet18 or us_resnet50.");
            var o = new Options(a, BenchCommands.ParseWidths(parse.GetValue(widths)!), Positive(parse.GetValue(batch), "--batch"),
                AtLeast(parse.GetValue(size), 32, "--size"), Positive(parse.GetValue(objects), "--objects"), Positive(parse.GetValue(classes), "--classes"),
                Positive(parse.GetValue(rois), "--rois"), ComparisonPlan.Checked(parse.GetValue(rounds), parse.GetValue(steps), parse.GetValue(warmup)), parse.GetValue(threads),
                !parse.GetValue(noPyTorch));
            Run(o, Console.Out);
        });
        return command;
    }

    public static void Run(Options o, TextWriter output)
    {
        var threads = BenchThreads.Apply(o.Threads);
        var detectorOptions = new MaskRcnnOptions { ObjectClasses = o.Classes, MinSize = new[] { o.Size }, MaxSize = o.Size, BoxBatchSizePerImage = o.Rois };
        using var reference = o.WithPyTorch
            ? PyTorchWorker.Start("detection_bench_pytorch.py", new[] { "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            : null;
        foreach (var width in o.Widths)
        {
            using var ours = new TrainStep(o, width, detectorOptions);
            string? file = null;
            try
            {
                if (reference is not null)
                {
                    file = Path.Combine(Path.GetTempPath(), $"us3l-bench-detect-{Environment.ProcessId}-{width.ToString("0.###", CultureInfo.InvariantCulture)}.safetensors");
                    ours.Save(file);
                    reference.Request(new JsonObject
                    {
                        ["load"] = file, ["key"] = width, ["arch"] = o.Arch, ["images"] = o.Batch, ["num_classes"] = detectorOptions.NumClasses,
                        ["min_size"] = o.Size, ["max_size"] = o.Size, ["fpn_channels"] = detectorOptions.FpnChannels,
                        ["box_batch_size_per_image"] = o.Rois,
                        ["returned_layers"] = new JsonArray(detectorOptions.ReturnedLayers.Select(l => (JsonNode)l).ToArray()), ["lr"] = Lr, ["seed"] = Seed,
                    });
                }
                var result = InterleavedComparison.Run(ours.ImagesPerSecond,
                    reference is null ? null : k => reference.ImagesPerSecond(new JsonObject { ["key"] = width, ["steps"] = k }), o.Plan);
                var line = new JsonObject
                {
                    ["bench"] = "maskrcnn_fpn_train_step",
                    ["arch"] = o.Arch,
                    ["width"] = width,
                    ["batch"] = o.Batch,
                    ["image"] = $"{o.Size}x{o.Size}",
                    ["objects_per_image"] = o.Objects,
                    ["num_classes"] = detectorOptions.NumClasses,
                    ["rois_per_image"] = o.Rois,
                    ["backbone_norm"] = detectorOptions.BackboneNorm.ToString().ToLowerInvariant(),
                    ["threads"] = threads,
                    ["pytorch_threads"] = reference?.Ready["threads"]?.GetValue<int>(),
                    ["torch"] = reference?.Ready["torch"]?.GetValue<string>(),
                    ["steps_per_slot"] = o.Plan.Steps,
                };
                result.WriteTo(line);
                line["load_1m"] = BenchThreads.LoadAverage();
                output.WriteLine(line.ToJsonString());
                output.Flush();
            }
            finally
            {
                if (file is not null) File.Delete(file);
            }
        }
    }

    /// <summary>Our side at one width: the detector, its SGD and the batch (images and targets drawn from the seed).</summary>
    private sealed class TrainStep : IDisposable
    {
        private readonly MaskRcnn detector;
        private readonly US3L.Torch.optim.SGD optimizer;
        private readonly Tensor[] images;
        private readonly DetectionTarget[] targets;

        public TrainStep(Options o, double width, MaskRcnnOptions options)
        {
            var backbone = ModelRegistry.Create(o.Arch, new ModelOptions { InChannels = 3, Seed = Seed });
            if (backbone is not USResNet { Layout: ResNetLayout.ImageNet })
            {
                backbone.Dispose();
                throw new ArgumentException($"--arch {o.Arch}: the torchvision side is a torchvision ResNet; use a US-ResNet with the ImageNet layout (us_resnet18, us_resnet50).");
            }
            detector = new MaskRcnn(backbone, width, options, Seed);
            optimizer = new US3L.Torch.optim.SGD(detector.parameters().Where(p => p.requires_grad).ToList(), Lr, momentum: 0.9, weight_decay: 1e-4);
            (images, targets) = Batch(o);
        }

        /// <summary>
        /// Random images in [0, 1] and <c>Objects</c> objects per image: boxes of sides 1/8-1/2 of the
        /// image, inside it, each with a random label and an elliptical mask filling its box.
        /// </summary>
        private static (Tensor[] Images, DetectionTarget[] Targets) Batch(Options o)
        {
            using var gen = new Generator(Seed);
            var imgs = new Tensor[o.Batch];
            var tgts = new DetectionTarget[o.Batch];
            for (var i = 0; i < o.Batch; i++)
            {
                using var scope = torch.NewDisposeScope();
                imgs[i] = DisposeScope.Detach(torch.rand(new long[] { 3, o.Size, o.Size }, generator: gen));
                var u = torch.rand(new long[] { o.Objects, 4 }, generator: gen);
                var side = u.narrow(1, 2, 2) * (o.Size * 3.0 / 8) + o.Size / 8.0;
                var corner = u.narrow(1, 0, 2) * (o.Size - side);
                var boxes = torch.cat(new[] { corner, corner + side }, 1).floor();
                var labels = torch.randint(1, o.Classes + 1, new long[] { o.Objects }, generator: gen);
                var centre = ((boxes.narrow(1, 0, 2) + boxes.narrow(1, 2, 2)) / 2).view(o.Objects, 2, 1, 1);
                var half = ((boxes.narrow(1, 2, 2) - boxes.narrow(1, 0, 2)) / 2).view(o.Objects, 2, 1, 1);
                var pixel = torch.arange(o.Size).@float() + 0.5;
                var dx = (pixel.view(1, 1, -1) - centre.select(1, 0)) / half.select(1, 0);
                var dy = (pixel.view(1, -1, 1) - centre.select(1, 1)) / half.select(1, 1);
                var masks = (dx * dx + dy * dy <= 1).to(ScalarType.UInt8);
                var area = masks.flatten(1).sum(1).to(ScalarType.Float32);
                tgts[i] = new DetectionTarget(i, boxes, labels, masks, torch.zeros(new long[] { o.Objects }, ScalarType.Int64), area);
            }
            return (imgs, tgts);
        }

        /// <summary>The detector as a plain network at its width (torchvision's names) and the batch, for the PyTorch side.</summary>
        public void Save(string path)
        {
            var state = detector.FixedWidthStateDict();
            try
            {
                var tensors = new Dictionary<string, Tensor>(state);
                for (var i = 0; i < images.Length; i++)
                {
                    tensors[$"batch.image.{i}"] = images[i];
                    tensors[$"batch.boxes.{i}"] = targets[i].Boxes;
                    tensors[$"batch.labels.{i}"] = targets[i].Labels;
                    tensors[$"batch.masks.{i}"] = targets[i].Masks;
                }
                Safetensors.Save(path, tensors);
            }
            finally
            {
                foreach (var t in state.Values) t.Dispose();
            }
        }

        public double ImagesPerSecond(int steps)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++)
            {
                using var scope = torch.NewDisposeScope();
                using var losses = detector.Losses(images, targets);
                optimizer.zero_grad();
                losses.Total.backward();
                optimizer.step();
            }
            return images.Length * steps / watch.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            foreach (var t in images) t.Dispose();
            foreach (var t in targets) t.Dispose();
            optimizer.Dispose();
            detector.Dispose();
        }
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, got {value}.");

    private static int AtLeast(int value, int min, string name) =>
        value >= min ? value : throw new ArgumentException($"{name} must be at least {min}, got {value}.");
}
