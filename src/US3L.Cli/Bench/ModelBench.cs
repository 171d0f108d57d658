using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench model`: images/s of a backbone's forward and backward pass (no optimizer) per
/// architecture and width, on random images of the architecture's default input, to compare
/// backbones on one machine. The architectures of one width are timed in turns, so a machine
/// whose load drifts slows them alike.
/// </summary>
internal static class ModelBench
{
    public static Command Create()
    {
        var archs = new Option<string>("--arch")
        {
            Description = "Comma-separated architectures", DefaultValueFactory = _ => "us_vit_mini,us_resnet10_mini",
        };
        var widths = new Option<string>("--widths") { Description = "Comma-separated widths", DefaultValueFactory = _ => "1.0,0.25" };
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Timed steps per architecture and width, in rounds", DefaultValueFactory = _ => 6 };
        var inChannels = new Option<int>("--in-channels") { Description = "Image channels", DefaultValueFactory = _ => 1 };
        var divisor = new Option<int>("--divisor") { Description = "Channel rounding divisor", DefaultValueFactory = _ => 8 };
        var command = new Command("model", "Backbone forward+backward images/s per architecture and width (random images, no optimizer)")
        {
            archs, widths, batch, steps, inChannels, divisor,
        };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(archs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names)
                if (!ModelRegistry.Names.Contains(n))
                    throw new ArgumentException($"--arch: unknown architecture '{n}'; expected one of {string.Join(", ", ModelRegistry.Names)}.");
            var b = parse.GetValue(batch);
            var s = parse.GetValue(steps);
            if (b < 1 || s < 1) throw new ArgumentException($"--batch and --steps must be positive, got {b} and {s}.");
            var options = new ModelOptions { InChannels = parse.GetValue(inChannels), Divisor = parse.GetValue(divisor), Seed = 0 };
            var models = names.Select(n => ModelRegistry.Create(n, options)).ToList();
            try
            {
                foreach (var w in BenchCommands.ParseWidths(parse.GetValue(widths)!))
                    foreach (var line in Measure(models, w, b, s))
                        Console.WriteLine(line.ToJsonString());
            }
            finally
            {
                foreach (var m in models) m.Dispose();
            }
        });
        return command;
    }

    /// <summary>One warm-up step each, then <paramref name="steps"/> rounds in which every model takes one timed step.</summary>
    private static IEnumerable<JsonObject> Measure(IReadOnlyList<SlimmableNetwork> models, double width, int batch, int steps)
    {
        using var data = torch.NewDisposeScope();
        using var g = new Generator(1);
        var inputs = models.Select(m => torch.randn(new long[] { batch, m.Options.InChannels, m.DefaultInputSize, m.DefaultInputSize }, generator: g)).ToList();
        var seconds = new double[models.Count];
        foreach (var m in models) m.SetWidth(width).train();
        for (var round = -1; round < steps; round++)
            for (var i = 0; i < models.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                using (var scope = torch.NewDisposeScope())
                {
                    models[i].zero_grad();
                    models[i].forward(inputs[i]).square().mean().backward();
                }
                if (round >= 0) seconds[i] += watch.Elapsed.TotalSeconds;
            }
        for (var i = 0; i < models.Count; i++)
            yield return new JsonObject
            {
                ["bench"] = "model_forward_backward", ["arch"] = models[i].Arch, ["width"] = width, ["input"] = models[i].DefaultInputSize,
                ["batch"] = batch, ["threads"] = torch.get_num_threads(), ["macs_per_image"] = models[i].Cost(width).Macs,
                ["img_s"] = Math.Round(batch * steps / seconds[i], 1),
            };
    }
}
