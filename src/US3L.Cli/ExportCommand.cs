using System.CommandLine;
using System.Globalization;
using US3L.Slimmable;

namespace US3L.Cli;

/// <summary>`us3l export`: the backbone sliced at one width into a fixed-width network (science.md 9 item 34).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export",
            "Slice the backbone at one width into a plain fixed-width network (torchvision names, BN calibrated at that width), for detection and transfer");
        var common = new EvalOptions(command);
        var width = new Option<double>("--width") { Description = "The width to export", Required = true };
        var output = new Option<string>("--out") { Description = "Output .safetensors file", Required = true };
        command.Options.Add(width);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var w = parse.GetValue(width);
            var path = parse.GetValue(output)!;
            if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out must name a .safetensors file, got '{path}'.");
            using var session = EvalSession.Open(parse, common, w.ToString("R", CultureInfo.InvariantCulture));
            using (var progress = new Progress("export", Math.Max(1, session.CalibrationBatches)))
                session.Prepare(w, progress);
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            WidthExporter.Save(session.Model, w, path);
            var dim = session.Model.FeatureDim(w);
            Console.WriteLine($"wrote {path}: {session.Model.Arch} at width {DataOptions.Invariant(w)}, {dim} features, " +
                              (session.Calibrate ? $"BN calibrated on {session.CalibrationBatches} batches of {session.BatchSize}" : "BN statistics from the checkpoint"));
        });
        return command;
    }
}
