using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using US3L.Import;
using US3L.Models;

namespace US3L.Cli;

/// <summary>
/// `us3l import CHECKPOINT --arch A [--out X.safetensors]`: reads a torch.save checkpoint of the
/// official code (or torchvision's plain state dict) without Python, maps its names to the kit's
/// (science.md 6.6), checks every shape against the kit model, and reports what was loaded,
/// dropped, missing and unexpected. --out writes the backbone in the form --checkpoint reads.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A torch.save file (zip or legacy format), e.g. the official code's checkpoint.pth.tar" };
        var arch = new Option<string>("--arch") { Description = "Architecture: " + string.Join(", ", ModelRegistry.Names), Required = true };
        var output = new Option<string?>("--out") { Description = "Write the imported tensors to this .safetensors file (what --checkpoint of knn, linear, calibrate, export reads)" };
        var heads = new Option<bool>("--heads")
        {
            Description = "Keep the projector, predictor and auxiliary head, named as the kit's SslNetwork (backbone.*, projector.*, predictor.*, predictor_new.*)",
        };
        var teacher = new Option<bool>("--teacher") { Description = "Import the EMA teacher (encoder_k) instead of the online encoder (encoder_q)" };
        var inChannels = new Option<int?>("--in-channels") { Description = "Image channels of the kit model (default 3; 1 for us_resnet10_mini)" };
        var divisor = new Option<int>("--divisor") { Description = "Channel rounding divisor of the kit model", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object" };
        var command = new Command("import",
            "Read a PyTorch checkpoint (official US3L code, torchvision) into the kit's names; report loaded, dropped, missing and unexpected tensors")
        {
            checkpoint, arch, output, heads, teacher, inChannels, divisor, json,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(arch)!;
            if (!ModelRegistry.Names.Contains(name))
                throw new ArgumentException($"--arch: unknown architecture '{name}'; expected one of {string.Join(", ", ModelRegistry.Names)}.");
            var outPath = parse.GetValue(output);
            if (outPath is not null && !outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out must name a .safetensors file, got '{outPath}'.");
            var options = new ImportOptions
            {
                Arch = name,
                Model = new ModelOptions { InChannels = parse.GetValue(inChannels) ?? (name == "us_resnet10_mini" ? 1 : 3), Divisor = parse.GetValue(divisor) },
                Teacher = parse.GetValue(teacher),
                KeepHeads = parse.GetValue(heads),
            };
            using var result = CheckpointImporter.Import(parse.GetValue(checkpoint)!, options);
            var written = false;
            if (outPath is not null && result.Missing.Count == 0)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                result.Save(outPath);
                written = true;
            }
            if (parse.GetValue(json)) Console.WriteLine(Json(result, written ? outPath : null));
            else Table(result, written ? outPath : null);
            result.EnsureComplete();
        });
        return command;
    }

    private static void Table(ImportResult r, string? written)
    {
        Console.WriteLine($"checkpoint: {r.Source}");
        var about = new List<string> { r.Format };
        if (r.Epoch is { } epoch) about.Add($"epoch {epoch}");
        if (r.CheckpointArch is { } a) about.Add($"arch {a}");
        Console.WriteLine($"format: {string.Join("; ", about)}");
        Console.WriteLine($"layout: {r.Layout}" + (r.Encoder.Length > 0 ? $"; loaded {r.Encoder}*" : ""));
        Console.WriteLine($"{r.Arch}: {r.Loaded.Count} tensors loaded, {r.Renamed} renamed; {r.CheckpointTensors} in the checkpoint");
        var dropped = r.Dropped.GroupBy(d => d.Reason).Select(g => $"{g.Count()} {g.Key}").ToList();
        Console.WriteLine($"dropped: {(dropped.Count == 0 ? "none" : string.Join(", ", dropped))}");
        Console.WriteLine($"missing: {(r.Missing.Count == 0 ? "none" : r.Missing.Count.ToString())}");
        foreach (var k in r.Missing) Console.WriteLine($"  {k}");
        if (r.MissingStatistics.Count > 0)
            Console.WriteLine($"missing BN statistics: {r.MissingStatistics.Count} (optional: the evaluation commands recalibrate BN)");
        Console.WriteLine($"unexpected: {(r.Unexpected.Count == 0 ? "none" : r.Unexpected.Count.ToString())}");
        foreach (var u in r.Unexpected) Console.WriteLine(u.Key == u.KitName ? $"  {u.Key}" : $"  {u.Key} (as {u.KitName})");
        if (written is not null) Console.WriteLine($"wrote {written} ({r.Tensors.Count} tensors)");
    }

    private static string Json(ImportResult r, string? written) => JsonSerializer.Serialize(new
    {
        checkpoint = r.Source,
        format = r.Format,
        layout = r.Layout,
        encoder = r.Encoder,
        arch = r.Arch,
        checkpoint_arch = r.CheckpointArch,
        epoch = r.Epoch,
        checkpoint_tensors = r.CheckpointTensors,
        loaded = r.Loaded.Select(l => new { from = l.From, to = l.To }),
        dropped = r.Dropped.Select(d => new { key = d.Key, reason = d.Reason }),
        missing = r.Missing,
        missing_statistics = r.MissingStatistics,
        unexpected = r.Unexpected.Select(u => new { key = u.Key, kit_name = u.KitName }),
        @out = written,
    }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
