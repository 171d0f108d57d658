using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Torch;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench detection-ops`: RoIAlign forward and backward at Mask R-CNN's sizes (box head 7×7,
/// mask head 14×14, sampling ratio 2, a stride-4 feature map) and batched NMS, ours against
/// torchvision on the same inputs, machine and libtorch (science.md 10.1). One JSON line per op;
/// each time is the fastest of --repeats calls, as wall-clock and as process CPU time (on a busy
/// machine the CPU time still measures the work: run with OMP_NUM_THREADS=1 to compare kernels).
/// </summary>
internal static class DetectionOpsBench
{
    private sealed record Options(int Images, int Channels, int Height, int Width, int Rois, int SamplingRatio, int[] Outputs, int NmsBoxes,
        int Repeats, int Warmup);

    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Images in the batch", DefaultValueFactory = _ => 2 };
        var channels = new Option<int>("--channels") { Description = "Feature channels (FPN: 256)", DefaultValueFactory = _ => 256 };
        var height = new Option<int>("--height") { Description = "Feature map height (stride 4 of an 800x1088 image: 200)", DefaultValueFactory = _ => 200 };
        var width = new Option<int>("--width") { Description = "Feature map width", DefaultValueFactory = _ => 272 };
        var rois = new Option<int>("--rois") { Description = "RoIs over the batch (Mask R-CNN samples 512 per image for the box head)", DefaultValueFactory = _ => 512 };
        var outputs = new Option<string>("--outputs") { Description = "Comma-separated output sizes", DefaultValueFactory = _ => "7,14" };
        var nms = new Option<int>("--nms-boxes") { Description = "Boxes for batched NMS (80 classes)", DefaultValueFactory = _ => 4000 };
        var repeats = new Option<int>("--repeats") { Description = "Timed calls per measurement", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed calls first", DefaultValueFactory = _ => 1 };
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the torchvision comparison" };
        var command = new Command("detection-ops", "RoIAlign forward/backward and batched NMS: ours vs torchvision, milliseconds per call")
        {
            images, channels, height, width, rois, outputs, nms, repeats, warmup, noPyTorch,
        };
        command.SetAction(parse =>
        {
            var sizes = parse.GetValue(outputs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v : throw new ArgumentException($"--outputs: '{s}' is not a positive integer; expected e.g. 7,14")).ToArray();
            var o = new Options(Positive(parse.GetValue(images), "--images"), Positive(parse.GetValue(channels), "--channels"),
                Positive(parse.GetValue(height), "--height"), Positive(parse.GetValue(width), "--width"), Positive(parse.GetValue(rois), "--rois"), 2, sizes,
                Positive(parse.GetValue(nms), "--nms-boxes"), Positive(parse.GetValue(repeats), "--repeats"), Math.Max(0, parse.GetValue(warmup)));
            Run(o, !parse.GetValue(noPyTorch), Console.Out);
        });
        return command;
    }

    private static void Run(Options o, bool withTorchvision, TextWriter output)
    {
        var reference = withTorchvision ? Torchvision(o) : null;
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(0);
        var x = torch.randn(new long[] { o.Images, o.Channels, o.Height, o.Width }, generator: gen);
        var boxes = Rois(gen, o);
        foreach (var size in o.Outputs)
        {
            var forward = Millis(o, measure =>
            {
                using var step = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                measure(() => torchvision.ops.roi_align(x, boxes, size, 0.25, o.SamplingRatio));
            });
            var leaf = x.clone().requires_grad_(true);
            var grad = torch.randn(new long[] { o.Rois, o.Channels, size, size }, generator: gen);
            var backward = Millis(o, measure =>
            {
                using var step = torch.NewDisposeScope();
                var y = torchvision.ops.roi_align(leaf, boxes, size, 0.25, o.SamplingRatio);
                measure(() => y.backward(grad));
                leaf.grad = null;
            });
            var theirs = reference?.FirstOrDefault(r => (string?)r["op"] == "roi_align" && (int?)r["output"] == size);
            var line = new JsonObject
            {
                ["bench"] = "roi_align", ["images"] = o.Images, ["channels"] = o.Channels, ["feature"] = $"{o.Height}x{o.Width}", ["rois"] = o.Rois,
                ["output"] = size, ["sampling_ratio"] = o.SamplingRatio, ["threads"] = torch.get_num_threads(),
            };
            Compare(line, "fwd", forward, theirs);
            Compare(line, "bwd", backward, theirs);
            output.WriteLine(line.ToJsonString());
        }

        var (nmsBoxes, scores, classes) = NmsInputs(gen, o.NmsBoxes);
        var nms = Millis(o, measure =>
        {
            using var step = torch.NewDisposeScope();
            measure(() => torchvision.ops.batched_nms(nmsBoxes, scores, classes, 0.5));
        });
        var nmsLine = new JsonObject { ["bench"] = "batched_nms", ["boxes"] = o.NmsBoxes, ["classes"] = 80, ["threads"] = torch.get_num_threads() };
        Compare(nmsLine, "nms", nms, reference?.FirstOrDefault(r => (string?)r["op"] == "batched_nms"));
        output.WriteLine(nmsLine.ToJsonString());
    }

    /// <summary>Adds ours and torchvision's wall and CPU milliseconds of one measurement, and torchvision's time over ours.</summary>
    private static void Compare(JsonObject line, string what, (double Wall, double Cpu) ours, JsonNode? theirs)
    {
        var wall = (double?)theirs?[$"{what}_ms"];
        var cpu = (double?)theirs?[$"{what}_cpu_ms"];
        line[$"ours_{what}_ms"] = Math.Round(ours.Wall, 2);
        line[$"torchvision_{what}_ms"] = Round(wall);
        line[$"ours_{what}_cpu_ms"] = Math.Round(ours.Cpu, 2);
        line[$"torchvision_{what}_cpu_ms"] = Round(cpu);
        line[$"{what}_speedup"] = wall is { } w ? Math.Round(w / ours.Wall, 2) : null;
    }

    /// <summary>Boxes in image pixels for a stride-4 map, sides 16-256, inside the image (drawn as the Python side draws them).</summary>
    private static Tensor Rois(Generator gen, Options o)
    {
        double ih = o.Height * 4, iw = o.Width * 4;
        var u = torch.rand(new long[] { o.Rois, 4 }, generator: gen);
        var w = 16 + u.select(1, 2) * 240;
        var h = 16 + u.select(1, 3) * 240;
        var x1 = u.select(1, 0) * (iw - w);
        var y1 = u.select(1, 1) * (ih - h);
        var ids = (torch.arange(o.Rois) % o.Images).@float();
        return torch.stack(new[] { ids, x1, y1, x1 + w, y1 + h }, dim: 1);
    }

    private static (Tensor Boxes, Tensor Scores, Tensor Classes) NmsInputs(Generator gen, int n)
    {
        var u = torch.rand(new long[] { n, 4 }, generator: gen);
        var x = u.select(1, 0) * 800;
        var y = u.select(1, 1) * 800;
        var boxes = torch.stack(new[] { x, y, x + 8 + u.select(1, 2) * 200, y + 8 + u.select(1, 3) * 200 }, dim: 1);
        return (boxes, torch.rand(new long[] { n }, generator: gen), torch.randint(0, 80, new long[] { n }, generator: gen));
    }

    /// <summary>
    /// The fastest of the timed calls in milliseconds, as wall-clock time and as CPU time of the
    /// process (all threads): the least disturbed by other work on the machine. <paramref name="call"/>
    /// runs its untimed preparation, then the timed part inside the given measuring function.
    /// </summary>
    private static (double Wall, double Cpu) Millis(Options o, Action<Action<Action>> call)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        var self = Process.GetCurrentProcess();
        void Measure(Action timed)
        {
            self.Refresh();
            var cpu0 = self.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            timed();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            self.Refresh();
            wall = Math.Min(wall, elapsed);
            cpu = Math.Min(cpu, (self.TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        for (var i = 0; i < o.Warmup; i++) call(timed => timed());
        for (var i = 0; i < o.Repeats; i++) call(Measure);
        return (wall, cpu);
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 2) : null;

    private static List<JsonNode>? Torchvision(Options o)
    {
        var inv = CultureInfo.InvariantCulture;
        return PyTorchReference.JsonLines("detection_ops_bench_pytorch.py", new[]
        {
            "--images", o.Images.ToString(inv), "--channels", o.Channels.ToString(inv), "--height", o.Height.ToString(inv),
            "--width", o.Width.ToString(inv), "--rois", o.Rois.ToString(inv), "--sampling-ratio", o.SamplingRatio.ToString(inv),
            "--outputs", string.Join(",", o.Outputs), "--nms-boxes", o.NmsBoxes.ToString(inv), "--repeats", o.Repeats.ToString(inv),
            "--warmup", o.Warmup.ToString(inv), "--threads", torch.get_num_threads().ToString(inv),
        });
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, got {value}.");
}
