using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using US3L.Models;

namespace US3L.Cli;

/// <summary>`us3l model ...`: inspect the slimmable architectures.</summary>
internal static class ModelCommands
{
    public static Command Create()
    {
        var model = new Command("model", "Slimmable architectures");
        model.Subcommands.Add(Info());
        return model;
    }

    private static Command Info()
    {
        var arch = new Option<string>("--arch") { Description = "Architecture: " + string.Join(", ", ModelRegistry.Names), Required = true };
        var widths = new Option<string>("--widths") { Description = "Comma-separated widths", DefaultValueFactory = _ => "0.25,0.5,0.75,1.0" };
        var input = new Option<int?>("--input") { Description = "Input side in pixels (default: 32 CIFAR, 224 ImageNet and ViT, 28 mini)" };
        var inChannels = new Option<int?>("--in-channels") { Description = "Image channels (default 3; 1 for the *_mini models)" };
        var divisor = new Option<int>("--divisor") { Description = "Channel rounding divisor", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "One JSON object per width instead of a table" };
        var command = new Command("info", "Backbone parameters and MACs per width (analytic, one image, no classifier head)")
        {
            arch, widths, input, inChannels, divisor, json,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(arch)!;
            var channels = parse.GetValue(inChannels) ?? (name.EndsWith("_mini", StringComparison.Ordinal) ? 1 : 3);
            // A ViT is built for its input side (one position embedding entry per patch); the CNNs ignore ImageSize.
            var options = new ModelOptions { InChannels = channels, Divisor = parse.GetValue(divisor), ImageSize = parse.GetValue(input) };
            var ws = BenchCommands.ParseWidths(parse.GetValue(widths)!);
            using var network = ModelRegistry.Create(name, options);
            var side = parse.GetValue(input) ?? network.DefaultInputSize;
            var costs = ws.Select(w => network.Cost(w, side)).ToList();
            if (parse.GetValue(json))
            {
                foreach (var c in costs)
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        arch = name, input = side, width = c.Width, @params = c.Params, macs = c.Macs, feature_dim = c.FeatureDim,
                    }));
                return;
            }
            Console.WriteLine($"{name} at {side}x{side}, backbone only");
            Console.WriteLine($"{"width",6}  {"params",10}  {"MACs",10}  {"F(w)",6}");
            foreach (var c in costs)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Width,6:0.###}  {c.Params / 1e6,9:0.00}M  {Human(c.Macs),10}  {c.FeatureDim,6}"));
        });
        return command;
    }

    private static string Human(long macs) => macs >= 1_000_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{macs / 1e9:0.000}G")
        : string.Create(CultureInfo.InvariantCulture, $"{macs / 1e6:0.0}M");
}
