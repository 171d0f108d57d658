using System.CommandLine;
using System.Globalization;
using US3L.Cli.Bench;
using US3L.Torch;

namespace US3L.Cli;

/// <summary>`us3l bench ...`: benchmarks that print JSON lines.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks; each prints one JSON object per line");
        bench.Subcommands.Add(Engine());
        bench.Subcommands.Add(Loader());
        bench.Subcommands.Add(PretrainBench.Create());
        bench.Subcommands.Add(ModelBench.Create());
        bench.Subcommands.Add(Augment());
        bench.Subcommands.Add(KernelBench.Create());
        bench.Subcommands.Add(DetectionOpsBench.Create());
        bench.Subcommands.Add(DetectionBench.Create());
        return bench;
    }

    private static Command Engine()
    {
        var widths = new Option<string>("--widths") { Description = "Comma-separated widths", DefaultValueFactory = _ => "1.0,0.5,0.25" };
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 64 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per width; each runs ours, PyTorch, PyTorch, ours", DefaultValueFactory = _ => 5 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per slot of a round", DefaultValueFactory = _ => 2 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps per side before each width's rounds", DefaultValueFactory = _ => 2 };
        var threads = BenchThreads.CreateOption();
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch comparison" };
        var command = new Command("engine", "Tensor engine: sgemm and a CIFAR ResNet-18 train step per width, ours vs PyTorch in interleaved rounds")
        {
            widths, batch, rounds, steps, warmup, threads, device, noPyTorch,
        };
        command.SetAction(parse =>
        {
            var parsedWidths = ParseWidths(parse.GetValue(widths)!);
            var plan = ComparisonPlan.Checked(parse.GetValue(rounds), parse.GetValue(steps), parse.GetValue(warmup));
            var dev = Device.Parse(parse.GetValue(device)!);
            if (dev.Type == DeviceType.CUDA && !torch.cuda.is_available())
                throw new ArgumentException("--device cuda needs a CUDA build of the native shim and a GPU (see environment.md).");
            EngineBenchmark.Run(new EngineBenchmark.Options(parsedWidths, Positive(parse.GetValue(batch), "--batch"), plan,
                parse.GetValue(threads), dev, !parse.GetValue(noPyTorch)), Console.Out);
        });
        return command;
    }

    private static Command Loader()
    {
        var batch = new Option<int>("--batch") { Description = "Images per batch", DefaultValueFactory = _ => 256 };
        var epochs = new Option<int>("--epochs") { Description = "Timed epochs per setting", DefaultValueFactory = _ => 3 };
        var command = new Command("loader", "Data loader: Fashion-MNIST batches per second, with and without prefetch") { batch, epochs };
        command.SetAction(parse =>
        {
            foreach (var r in US3L.Data.LoaderBenchmark.Run(batchSize: Positive(parse.GetValue(batch), "--batch"),
                         epochs: Positive(parse.GetValue(epochs), "--epochs")))
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    bench = "loader", dataset = r.Dataset, batch = r.BatchSize, prefetch = r.Prefetch,
                    consumer = r.ConsumerWork ? "to_float_normalize" : "none", img_s = Math.Round(r.ImagesPerSecond),
                }));
        });
        return command;
    }

    private static Command Augment()
    {
        var batch = new Option<int>("--batch") { Description = "Images per batch", DefaultValueFactory = _ => 256 };
        var batches = new Option<int>("--batches") { Description = "Timed batches per recipe", DefaultValueFactory = _ => 20 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var command = new Command("augment",
            "Augmentation recipes: images per second on synthetic uint8 batches (28x28x1 for Fashion-MNIST recipes, 32x32x3 otherwise)")
        {
            batch, batches, device,
        };
        command.SetAction(parse =>
        {
            var dev = Device.Parse(parse.GetValue(device)!);
            if (dev.Type == DeviceType.CUDA && !torch.cuda.is_available())
                throw new ArgumentException("--device cuda needs a CUDA build of the native shim and a GPU (see environment.md).");
            foreach (var r in US3L.Augmentation.AugmentationBenchmark.Run(Positive(parse.GetValue(batch), "--batch"),
                         Positive(parse.GetValue(batches), "--batches"), dev))
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    bench = "augment", recipe = r.Recipe, input = r.Input, device = r.Device, batch = r.BatchSize, views = r.Views,
                    img_s = Math.Round(r.ImagesPerSecond), views_s = Math.Round(r.ImagesPerSecond * r.Views),
                }));
        });
        return command;
    }

    internal static double[] ParseWidths(string text)
    {
        var result = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || w <= 0 || w > 1)
                throw new ArgumentException($"--widths: '{part}' is not a width in (0, 1]; expected e.g. 1.0,0.5,0.25");
            result.Add(w);
        }
        if (result.Count == 0) throw new ArgumentException("--widths: give at least one width, e.g. 1.0,0.5,0.25");
        return result.ToArray();
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, got {value}.");
}
