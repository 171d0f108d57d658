using System.CommandLine;
using System.Globalization;
using US3L.Detection;

namespace US3L.Cli;

/// <summary>
/// `us3l finetune detect`: Mask R-CNN fine-tuning of a slimmable backbone at several widths
/// (science.md 10.6), from a pretrained checkpoint or a random init, with box and mask AP per width.
/// Ctrl-C stops at the next step and saves; --resume continues.
/// </summary>
internal static class FinetuneCommand
{
    public static Command Create()
    {
        var finetune = new Command("finetune", "Fine-tune a slimmable backbone on a downstream task");
        finetune.Subcommands.Add(Detect());
        return finetune;
    }

    private static Command Detect()
    {
        var recipe = new Option<string?>("--recipe")
        {
            Description = "Detection recipe (" + string.Join(", ", DetectRecipes.Names) + ") or a YAML file; default: scenes for --data scenes, coco-r50-fpn-1x for coco:DIR",
        };
        var data = new Option<string?>("--data") { Description = "scenes (the Fashion-MNIST scene set) or coco:DIR (COCO 2017 under DIR)" };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Pretrained backbone: a pretraining run's checkpoints/last.safetensors, or a backbone state_dict (us3l import / export)",
        };
        var randomInit = new Option<bool>("--random-init") { Description = "Start from a randomly initialised backbone instead" };
        var arch = new Option<string?>("--arch") { Description = "Backbone architecture (us_resnet18, us_resnet50, us_mobilenetv2, us_resnet10_mini, ...)" };
        var widths = new Option<string?>("--widths") { Description = "Comma-separated widths, one detector each, e.g. 1.0,0.5,0.25" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/detect-<arch>-<init>-<profile>-<time>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder" };
        var json = new Option<bool>("--json") { Description = "Print results.json to stdout instead of a table" };
        var command = new Command("detect", "Mask R-CNN (FPN) fine-tuning per width: box and mask AP (writes config, metrics.jsonl, checkpoints, results.json)")
        {
            recipe, data, checkpoint, randomInit, arch, widths, PretrainCommand.Profile, PretrainCommand.Set, output, resume, json,
        };
        command.SetAction(parse =>
        {
            DetectFinetuner run;
            var resumeDir = parse.GetValue(resume);
            if (resumeDir is not null)
            {
                if (parse.GetValue(recipe) is not null || parse.GetValue(checkpoint) is not null || parse.GetValue(randomInit))
                    throw new ArgumentException("--resume continues a run with its own config; drop --recipe, --checkpoint and --random-init.");
                run = DetectFinetuner.Resume(resumeDir);
                Console.Error.WriteLine($"resuming {resumeDir}");
            }
            else
            {
                var path = parse.GetValue(checkpoint);
                var random = parse.GetValue(randomInit);
                if ((path is null) == !random)
                    throw new ArgumentException("give either --checkpoint PRETRAINED.safetensors or --random-init.");
                var dataValue = parse.GetValue(data) ?? "scenes";
                var overrides = new List<string>(parse.GetValue(PretrainCommand.Set) ?? Array.Empty<string>());
                overrides.Add($"data={dataValue}");
                overrides.Add($"checkpoint={path ?? ""}");
                if (parse.GetValue(arch) is { } a) overrides.Add($"arch={a}");
                if (parse.GetValue(widths) is { } w) overrides.Add($"widths=[{string.Join(", ", BenchCommands.ParseWidths(w).Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}]");
                var name = parse.GetValue(recipe) ?? (dataValue.StartsWith("coco:", StringComparison.Ordinal) ? "coco-r50-fpn-1x" : "scenes");
                var resolved = DetectRecipes.Resolve(name, parse.GetValue(PretrainCommand.Profile), overrides);
                var dir = parse.GetValue(output) ?? Path.Combine("runs",
                    $"detect-{resolved.Config.Arch}-{(random ? "random" : "pretrained")}-{resolved.Profile ?? "base"}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                run = DetectFinetuner.Start(resolved.Config, dir);
                File.WriteAllText(Path.Combine(dir, "config.yaml"), resolved.ToYaml());
            }
            using (run)
            {
                var results = RunWithConsole(run);
                if (parse.GetValue(json)) Console.WriteLine(results.ToJson());
                else
                {
                    Console.WriteLine(Table(results));
                    Console.WriteLine(results.Complete
                        ? $"done: {results.Results.Count} widths"
                        : $"interrupted with {results.Results.Count} of {results.Widths.Length} widths done; checkpoint saved. Resume with: ./us3l finetune detect --resume {run.RunDir}");
                    Console.WriteLine($"run: {Path.GetFullPath(run.RunDir)}");
                }
                return results.Complete ? 0 : 130;
            }
        });
        return command;
    }

    /// <summary>Box and mask AP per width, one row each.</summary>
    internal static string Table(DetectResults results)
    {
        var lines = new List<string>
        {
            $"{results.Arch}, {results.Init} init{(results.Checkpoint is { } c ? $" ({c})" : "")}, data {results.Data}, BN {results.BackboneNorm}",
            $"{"width",6} {"backbone MMACs",15} {"box AP",7} {"AP50",6} {"AP75",6} {"mask AP",8} {"AP50",6} {"AP75",6} {"iters",6} {"train s",8}",
        };
        foreach (var r in results.Results)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.Width,6:0.00} {r.BackboneMacs / 1e6,15:0.0} {100 * r.Box.AP,7:0.0} {100 * r.Box.AP50,6:0.0} {100 * r.Box.AP75,6:0.0} {100 * r.Mask.AP,8:0.0} {100 * r.Mask.AP50,6:0.0} {100 * r.Mask.AP75,6:0.0} {r.Iterations,6} {r.TrainSeconds,8:0}"));
        lines.Add($"(AP in %, COCO evaluation on {results.Results.FirstOrDefault()?.EvalImages ?? 0} validation images; MACs of the backbone for one {results.Results.FirstOrDefault()?.InputSize ?? 0}-pixel image)");
        return string.Join('\n', lines);
    }

    /// <summary>Runs with a progress bar on stderr; the first Ctrl-C asks the run to stop and save, a second one kills.</summary>
    private static DetectResults RunWithConsole(DetectFinetuner run)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            Console.Error.WriteLine("\nstopping after this step and saving a checkpoint (Ctrl-C again to kill)...");
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        Progress? bar = null;
        var barKey = (-1.0, "");
        try
        {
            var reporter = new SynchronousProgress<DetectProgress>(p =>
            {
                var total = p.Phase == "train" ? (long)p.Epochs * p.BatchesPerEpoch : Math.Max(1, p.BatchesPerEpoch);
                if (barKey != (p.Width, p.Phase) && p.Phase != "calibrate")
                {
                    bar?.Dispose();
                    bar = new Progress($"{p.Phase} w={p.Width.ToString("0.##", CultureInfo.InvariantCulture)} ({p.WidthIndex + 1}/{p.WidthCount})", total);
                    barKey = (p.Width, p.Phase);
                }
                if (bar is null) return;
                if (p.Phase == "train")
                    bar.Status = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.Epochs} loss {p.Loss:0.000} {p.ImagesPerSecond:0.0} img/s");
                bar.Advance();
            });
            return run.Run(cancel.Token, reporter);
        }
        finally
        {
            bar?.Dispose();
            Console.CancelKeyPress -= onCancel;
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
