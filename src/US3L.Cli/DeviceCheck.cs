using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using US3L.Augmentation;
using US3L.Config;
using US3L.Losses;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Training;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Cli;

/// <summary>
/// `us3l check-device --device cuda`: runs the engine's ops, a slimmable backbone, the losses, the
/// augmentation and a whole training iteration on the device and on the CPU from the same inputs,
/// and compares them. The op checks run in float64, where cuDNN and cuBLAS take no TF32 shortcuts,
/// so any difference beyond rounding is a fault of the binding on that device; the training check
/// runs in float32 as training does, with a tolerance for TF32 convolutions. One JSON line per
/// check; the exit code is 1 when any check fails.
/// </summary>
internal static class DeviceCheck
{
    private const double OpTolerance = 1e-9;
    /// <summary>The augmentation works in float32 whatever the input: rounding, not the binding, sets its gap.</summary>
    private const double Float32Tolerance = 1e-5;
    private const double TrainingTolerance = 2e-2;

    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "The device to check against the CPU", DefaultValueFactory = _ => "cuda" };
        var command = new Command("check-device", "Compare the engine, a slimmable backbone, losses, augmentation and a training iteration on a device with the CPU") { device };
        command.SetAction(parse =>
        {
            var dev = Device.Parse(parse.GetValue(device)!);
            if (dev.Type == DeviceType.CUDA && !torch.cuda.is_available())
                throw new ArgumentException("--device cuda needs a CUDA build of the native shim and a GPU (see environment.md).");
            return Run(dev) ? 0 : 1;
        });
        return command;
    }

    private static bool Run(Device device)
    {
        var ok = true;
        foreach (var (name, compute) in OpChecks())
            ok &= Report(name, device, name.StartsWith("augmentation", StringComparison.Ordinal) ? Float32Tolerance : OpTolerance,
                () => Compare(compute, device));
        ok &= Report("pretrain_iterations", device, TrainingTolerance, () => CompareTraining(device));
        return ok;
    }

    /// <summary>Each check maps (device, generator of its inputs) to output tensors, inputs drawn on the CPU.</summary>
    private static IEnumerable<(string Name, Func<Device, Tensor[]> Compute)> OpChecks()
    {
        Tensor Input(long[] shape, Device d, long seed, bool grad = false)
        {
            using var g = new Generator(seed);
            var t = torch.randn(shape, ScalarType.Float64, generator: g).to(d);
            return grad ? t.requires_grad_(true) : t;
        }

        Tensor[] WithGrads(Tensor output, params Tensor[] inputs)
        {
            output.square().sum().backward();
            return inputs.Select(i => i.grad!).Prepend(output.detach()).ToArray();
        }

        yield return ("matmul", d =>
        {
            var a = Input(new long[] { 64, 96 }, d, 1, grad: true);
            var b = Input(new long[] { 96, 48 }, d, 2, grad: true);
            return WithGrads(a.mm(b), a, b);
        });
        yield return ("conv2d_sliced_weight", d =>
        {
            // A width-0.5 sub-network: the first channels of the full weight, as USConv2d narrows it.
            var x = Input(new long[] { 4, 16, 12, 12 }, d, 3, grad: true);
            var w = Input(new long[] { 64, 32, 3, 3 }, d, 4, grad: true);
            return WithGrads(F.conv2d(x, w.narrow(0, 0, 32).narrow(1, 0, 16), stride: 2, padding: 1), x, w);
        });
        yield return ("conv2d_depthwise", d =>
        {
            var x = Input(new long[] { 4, 24, 10, 10 }, d, 5, grad: true);
            var w = Input(new long[] { 24, 1, 3, 3 }, d, 6, grad: true);
            return WithGrads(F.conv2d(x, w, padding: 1, groups: 24), x, w);
        });
        yield return ("batch_norm_train_sliced_affine", d =>
        {
            var x = Input(new long[] { 8, 16, 6, 6 }, d, 7, grad: true);
            var gamma = Input(new long[] { 32 }, d, 8, grad: true);
            var beta = Input(new long[] { 32 }, d, 9, grad: true);
            return WithGrads(F.batch_norm(x, null, null, gamma.narrow(0, 0, 16), beta.narrow(0, 0, 16), training: true), x, gamma, beta);
        });
        yield return ("pooling_and_relu", d =>
        {
            var x = Input(new long[] { 4, 8, 16, 16 }, d, 10, grad: true);
            var y = F.adaptive_avg_pool2d(F.relu(F.max_pool2d(x, 3, stride: 2, padding: 1)), 1);
            return WithGrads(y, x);
        });
        yield return ("cross_entropy", d =>
        {
            var logits = Input(new long[] { 32, 10 }, d, 11, grad: true);
            using var g = new Generator(12);
            var target = torch.randint(0, 10, new long[] { 32 }, generator: g).to(d);
            return WithGrads(F.cross_entropy(logits, target), logits);
        });
        yield return ("nt_xent", d =>
        {
            var a = Input(new long[] { 16, 32 }, d, 13, grad: true);
            var c = Input(new long[] { 16, 32 }, d, 14);
            return WithGrads(NtXent.Loss(a, c, 0.5), a);
        });
        yield return ("negative_cosine", d =>
        {
            var p = Input(new long[] { 16, 32 }, d, 15, grad: true);
            var z = Input(new long[] { 16, 32 }, d, 16);
            return WithGrads(NegativeCosine.Loss(p, z), p);
        });
        yield return ("svdvals", d => new[] { torch.linalg.svdvals(Input(new long[] { 32, 16 }, d, 17)) });
        yield return ("us_resnet10_mini_widths", d =>
        {
            // The same seeded weights on both devices; forward and backward at three widths.
            using var model = ModelRegistry.Create("us_resnet10_mini", new ModelOptions { InChannels = 1, Seed = 5 });
            model.to(ScalarType.Float64, d);
            var x = Input(new long[] { 8, 1, 28, 28 }, d, 18);
            var outputs = new List<Tensor>();
            foreach (var w in new[] { 1.0, 0.5, 0.25 })
            {
                model.SetWidth(w);
                model.zero_grad();
                var y = model.forward(x);
                y.square().sum().backward();
                outputs.Add(y.detach());
                outputs.AddRange(model.parameters().Select(p => p.grad).OfType<Tensor>().Select(g => g.clone()));
            }
            return outputs.ToArray();
        });
        yield return ("augmentation_cifar_two_views", d =>
        {
            // Random parameters are drawn on the CPU from the generator, so both devices apply the same transforms.
            using var g = new Generator(19);
            var images = torch.randint(0, 256, new long[] { 8, 3, 32, 32 }, ScalarType.UInt8, generator: g).to(d);
            using var views = new Generator(20);
            var (v1, v2) = AugmentationRecipes.Get("cifar", 32).TwoViews().Apply(images, views);
            return new[] { v1.to(ScalarType.Float64), v2.to(ScalarType.Float64) };
        });
    }

    private static double Compare(Func<Device, Tensor[]> compute, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = compute(Device.CPU);
        var other = compute(device);
        if (cpu.Length != other.Length) throw new InvalidOperationException($"{cpu.Length} outputs on the CPU but {other.Length} on {device}.");
        var worst = 0.0;
        for (var i = 0; i < cpu.Length; i++)
        {
            var reference = cpu[i].to(ScalarType.Float64);
            var diff = (other[i].to(ScalarType.Float64, Device.CPU) - reference).abs().max().item<double>();
            var scale = Math.Max(1.0, reference.abs().max().item<double>());
            worst = Math.Max(worst, diff / scale);
        }
        return worst;
    }

    /// <summary>Three US3L-BYOL iterations on synthetic data, once per device; the largest relative gap of the logged losses.</summary>
    private static double CompareTraining(Device device)
    {
        double[] Losses(string dev)
        {
            var config = RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[]
            {
                "dataset=synthetic", "augmentation=cifar", "train_subset=96", "batch_size=32", "epochs=4",
                "sampler=sandwich", "projector_hidden=64", "projector_out=32", "predictor_hidden=64", $"device={dev}",
            }) with { Epochs = 1, KnnEvery = -1 };
            var dir = Path.Combine(Path.GetTempPath(), $"us3l-check-{dev.Replace(':', '-')}-{Environment.ProcessId}");
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            try
            {
                using (var run = Pretrainer.Start(config, dir)) run.Train();
                return File.ReadLines(Path.Combine(dir, "metrics.jsonl"))
                    .Select(l => JsonNode.Parse(l)!)
                    .Where(n => n["kind"]!.GetValue<string>() == "iteration")
                    .SelectMany(n => n["loss"]!.AsArray().Select(v => v!.GetValue<double>()))
                    .ToArray();
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        var cpu = Losses("cpu");
        var other = Losses(device.ToString());
        if (cpu.Length == 0 || cpu.Length != other.Length) throw new InvalidOperationException($"{cpu.Length} losses on the CPU but {other.Length} on {device}.");
        return cpu.Zip(other).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1.0, Math.Abs(p.First)));
    }

    private static bool Report(string name, Device device, double tolerance, Func<double> check)
    {
        var clock = Stopwatch.StartNew();
        var line = new JsonObject { ["check"] = name, ["device"] = device.ToString(), ["tolerance"] = tolerance };
        bool ok;
        try
        {
            var error = check();
            ok = error <= tolerance;
            line["max_rel_error"] = error;
        }
        catch (Exception e)
        {
            // A failing check is a finding to report, not a reason to skip the others.
            ok = false;
            line["error"] = e.Message;
        }
        line["ok"] = ok;
        line["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        Console.WriteLine(line.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return ok;
    }
}
