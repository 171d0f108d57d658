using System.CommandLine;
using US3L.Torch.Serialization;

namespace US3L.Cli;

/// <summary>`us3l calibrate`: BN recalibrated per width (science.md 6.3), one checkpoint per width.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var command = new Command("calibrate",
            "Recalibrate BN per width on training images and save one checkpoint per width (the backbone's state_dict with running statistics)");
        var common = new EvalOptions(command, calibrationSwitch: false);
        var widths = EvalOptions.Widths("1.0,0.75,0.5,0.25");
        var output = new Option<string>("--out") { Description = "Folder for <arch>-w<width>.safetensors", Required = true };
        command.Options.Add(widths);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var session = EvalSession.Open(parse, common, parse.GetValue(widths)!, forceCalibration: true);
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var written = new List<string>();
            using (var progress = new Progress("calibrate", session.Widths.Count * (long)session.CalibrationBatches))
                foreach (var w in session.Widths)
                {
                    progress.Status = $"width {DataOptions.Invariant(w)}";
                    session.Prepare(w, progress);
                    var path = Path.Combine(folder, $"{session.Model.Arch}-w{DataOptions.Invariant(w)}.safetensors");
                    var meta = session.Metadata(w);
                    Safetensors.Save(path, session.Model.state_dict(), meta);
                    written.Add($"wrote {path} (width {DataOptions.Invariant(w)}, {session.CalibrationBatches} batches of {session.BatchSize})");
                }
            foreach (var line in written) Console.WriteLine(line);
        });
        return command;
    }
}
