using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench engine`: sgemm throughput, and a CIFAR ResNet-18 train step (forward, backward,
/// SGD) at several widths, ours against PyTorch on the same libtorch and machine. Prints one JSON
/// object per line.
/// </summary>
internal static class EngineBenchmark
{
    internal sealed record Options(double[] Widths, int Batch, int Steps, int Warmup, Device Device, bool WithPyTorch);

    public static void Run(Options o, TextWriter output)
    {
        output.WriteLine(JsonSerializer.Serialize(new { bench = "sgemm", n = 2048, gflops = Round(Sgemm(2048, o.Device)) }));
        foreach (var width in o.Widths)
        {
            var ours = TrainStepImagesPerSecond(width, o);
            double? reference = o.WithPyTorch ? PyTorchImagesPerSecond(width, o) : null;
            // FLOPs of a train step: forward plus a backward of about twice its cost, 2 FLOPs per MAC.
            var gflops = ours * NarrowedResNet18.ForwardMacs(width) * 3 * 2 / 1e9;
            var line = new JsonObject
            {
                ["bench"] = "resnet18_cifar_train_step",
                ["batch"] = o.Batch,
                ["width"] = width,
                ["device"] = o.Device.ToString(),
                ["ours_img_s"] = Round(ours),
                ["pytorch_img_s"] = reference is null ? null : Round(reference.Value),
                ["ratio"] = reference is null ? null : Round(ours / reference.Value, 3),
                ["ours_gflops"] = Round(gflops),
            };
            output.WriteLine(line.ToJsonString());
        }
    }

    private static double Round(double v, int digits = 1) => Math.Round(v, digits);

    private static double Sgemm(int n, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(new long[] { n, n }, device: device);
        var b = torch.randn(new long[] { n, n }, device: device);
        torch.mm(a, b).Dispose();
        const int repeats = 5;
        Synchronize(device);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) torch.mm(a, b).Dispose();
        Synchronize(device);
        return repeats * 2.0 * n * n * n / watch.Elapsed.TotalSeconds / 1e9;
    }

    private static double TrainStepImagesPerSecond(double width, Options o)
    {
        using var generator = new Generator(0);
        using var model = new NarrowedResNet18(generator, o.Device);
        using var optimizer = new US3L.Torch.optim.SGD(model.Parameters, lr: 0.05, momentum: 0.9, weight_decay: 5e-4);
        using var data = torch.NewDisposeScope();
        var x = torch.randn(new long[] { o.Batch, 3, 32, 32 }, generator: generator).to(o.Device);
        var y = torch.randint(0, 10, new long[] { o.Batch }, generator: generator).to(o.Device);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.cross_entropy(model.Forward(x, width), y);
            loss.backward();
            optimizer.step();
        }

        for (var i = 0; i < o.Warmup; i++) Step();
        Synchronize(o.Device);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < o.Steps; i++) Step();
        Synchronize(o.Device);
        return o.Batch * o.Steps / watch.Elapsed.TotalSeconds;
    }

    private static void Synchronize(Device device)
    {
        if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    /// <summary>The same step in PyTorch (Bench/engine_bench_pytorch.py); null when PyTorch is not installed.</summary>
    private static double? PyTorchImagesPerSecond(double width, Options o)
    {
        var inv = CultureInfo.InvariantCulture;
        return PyTorchReference.ImagesPerSecond("engine_bench_pytorch.py", new[]
        {
            "--width", width.ToString(inv), "--batch", o.Batch.ToString(inv), "--steps", o.Steps.ToString(inv),
            "--warmup", o.Warmup.ToString(inv), "--threads", torch.get_num_threads().ToString(inv), "--device", o.Device.ToString(),
        });
    }
}
