using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench engine`: sgemm throughput, and a CIFAR ResNet-18 train step (forward, backward,
/// SGD) at several widths, ours against PyTorch on the same libtorch and machine, in interleaved
/// rounds (<see cref="InterleavedComparison"/>). Prints one JSON object per line.
/// </summary>
internal static class EngineBenchmark
{
    internal sealed record Options(double[] Widths, int Batch, ComparisonPlan Plan, int Threads, Device Device, bool WithPyTorch);

    public static void Run(Options o, TextWriter output)
    {
        var threads = BenchThreads.Apply(o.Threads);
        output.WriteLine(JsonSerializer.Serialize(new { bench = "sgemm", n = 2048, threads, gflops = Round(Sgemm(2048, o.Device)) }));
        using var ours = new TrainStep(o.Batch, o.Device);
        using var reference = o.WithPyTorch ? StartPyTorch(o, threads) : null;
        foreach (var width in o.Widths)
        {
            var result = InterleavedComparison.Run(steps => ours.ImagesPerSecond(width, steps),
                reference is null ? null : steps => reference.ImagesPerSecond(new JsonObject { ["width"] = width, ["steps"] = steps }),
                o.Plan);
            var line = new JsonObject
            {
                ["bench"] = "resnet18_cifar_train_step",
                ["batch"] = o.Batch,
                ["width"] = width,
                ["device"] = o.Device.ToString(),
                ["threads"] = threads,
                ["pytorch_threads"] = reference?.Ready["threads"]?.GetValue<int>(),
                ["steps_per_slot"] = o.Plan.Steps,
            };
            result.WriteTo(line);
            // FLOPs of a train step: forward plus a backward of about twice its cost, 2 FLOPs per MAC.
            line["ours_gflops"] = Round(ComparisonResult.Median(result.Ours) * NarrowedResNet18.ForwardMacs(width) * 3 * 2 / 1e9);
            line["load_1m"] = BenchThreads.LoadAverage();
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

    private static void Synchronize(Device device)
    {
        if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    /// <summary>The same step in PyTorch (Bench/engine_bench_pytorch.py), one worker for every width; null when PyTorch is not installed.</summary>
    private static PyTorchWorker? StartPyTorch(Options o, int threads)
    {
        var inv = CultureInfo.InvariantCulture;
        return PyTorchWorker.Start("engine_bench_pytorch.py", new[]
        {
            "--batch", o.Batch.ToString(inv), "--threads", threads.ToString(inv), "--device", o.Device.ToString(),
        });
    }

    /// <summary>Our side: one network and optimizer, stepped at whichever width a round asks for.</summary>
    private sealed class TrainStep : IDisposable
    {
        private readonly Generator generator = new(0);
        private readonly NarrowedResNet18 model;
        private readonly US3L.Torch.optim.SGD optimizer;
        private readonly Tensor x, y;
        private readonly int batch;
        private readonly Device device;

        public TrainStep(int batch, Device device)
        {
            this.batch = batch;
            this.device = device;
            model = new NarrowedResNet18(generator, device);
            optimizer = new US3L.Torch.optim.SGD(model.Parameters, lr: 0.05, momentum: 0.9, weight_decay: 5e-4);
            using var scope = torch.NewDisposeScope();
            x = DisposeScope.Detach(torch.randn(new long[] { batch, 3, 32, 32 }, generator: generator).to(device));
            y = DisposeScope.Detach(torch.randint(0, 10, new long[] { batch }, generator: generator).to(device));
        }

        public double ImagesPerSecond(double width, int steps)
        {
            Synchronize(device);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++)
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var loss = F.cross_entropy(model.Forward(x, width), y);
                loss.backward();
                optimizer.step();
            }
            Synchronize(device);
            return batch * steps / watch.Elapsed.TotalSeconds;
        }

        public void Dispose()
        {
            x.Dispose();
            y.Dispose();
            optimizer.Dispose();
            model.Dispose();
            generator.Dispose();
        }
    }
}
