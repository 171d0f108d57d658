using System.CommandLine;
using System.Globalization;
using US3L.Config;
using US3L.Training;

namespace US3L.Cli;

/// <summary>`us3l pretrain`: runs a recipe into a run folder, or resumes one. Ctrl-C stops at the next step and saves.</summary>
internal static class PretrainCommand
{
    internal static readonly Option<string> Profile = new("--profile")
    {
        Description = "Recipe profile: smoke (seconds), short (minutes on 2 cores), full (the paper's scale, GPU)", DefaultValueFactory = _ => "short",
    };

    internal static readonly Option<string[]> Set = new("--set")
    {
        Description = "Override a recipe field, e.g. --set ema_momentum=0 --set epochs=5", AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var recipe = new Option<string?>("--recipe") { Description = "Recipe name (" + string.Join(", ", RecipeLoader.Names) + ") or a YAML file" };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/<recipe>-<profile>-<time>)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint" };
        var configFile = new Option<string?>("--config")
        {
            Description = "Run exactly this resolved config (a run folder's config.json, or one written by ConfigWriter.Save); no recipe, profile or --set",
        };
        var command = new Command("pretrain", "Self-supervised pretraining of a slimmable network (writes config, metrics.jsonl and checkpoints)")
        {
            recipe, Profile, Set, output, resume, configFile,
        };
        command.SetAction(parse =>
        {
            var resumeDir = parse.GetValue(resume);
            var resolvedFile = parse.GetValue(configFile);
            Pretrainer run;
            if (resumeDir is not null)
            {
                if (parse.GetValue(recipe) is not null || resolvedFile is not null)
                    throw new ArgumentException("--resume continues a run with its own config; drop --recipe and --config.");
                run = Pretrainer.Resume(resumeDir);
                Console.Error.WriteLine($"resuming {resumeDir} after {run.EpochsCompleted} epochs ({run.Iterations} iterations)");
            }
            else if (resolvedFile is not null)
            {
                if (parse.GetValue(recipe) is not null || parse.GetResult(Profile) is { Implicit: false } || (parse.GetValue(Set) ?? []).Length > 0)
                    throw new ArgumentException("--config runs a resolved config exactly as it is; drop --recipe, --profile and --set (or edit the file).");
                run = StartResolved(resolvedFile, parse.GetValue(output));
            }
            else
            {
                var name = parse.GetValue(recipe) ?? throw new ArgumentException("give --recipe NAME (or --resume DIR); recipes: " + string.Join(", ", RecipeLoader.Names));
                var resolved = RecipeLoader.Resolve(name, parse.GetValue(Profile), parse.GetValue(Set) ?? Array.Empty<string>());
                var dir = parse.GetValue(output) ?? DefaultRunDir(resolved.Name, resolved.Profile);
                run = StartRun(resolved, dir);
            }
            using (run)
            {
                var result = TrainWithConsole(run);
                Console.WriteLine(result.Interrupted
                    ? $"interrupted after {result.Iterations} iterations; checkpoint saved. Resume with: ./us3l pretrain --resume {result.RunDir}"
                    : $"done: {result.EpochsCompleted} epochs, {result.Iterations} iterations in {result.Seconds:F0} s");
                if (result.Knn is { } knn) Console.WriteLine("last kNN top-1 (monitor): " + KnnText(knn));
                Console.WriteLine($"run: {Path.GetFullPath(result.RunDir)}");
                return result.Interrupted ? 130 : 0;
            }
        });
        return command;
    }

    internal static string DefaultRunDir(string recipe, string? profile) =>
        Path.Combine("runs", $"{recipe}-{profile ?? "base"}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");

    /// <summary>Starts a run of a resolved recipe; config.yaml records the recipe, profile and overrides.</summary>
    internal static Pretrainer StartRun(Recipe resolved, string dir)
    {
        // The trainer writes config.json (what Resume reads); config.yaml records where the config came from.
        var run = Pretrainer.Start(resolved.Config, dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigWriter.ToYaml(resolved));
        return run;
    }

    /// <summary>Starts a run of a resolved config file, validated with the same ranges as a recipe; config.yaml names the file.</summary>
    private static Pretrainer StartResolved(string file, string? dir)
    {
        // JSON is a run's config.json; YAML is ConfigWriter's form (a recipe without profiles resolves to itself).
        var config = Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase)
            ? ConfigValidator.Validate(ConfigJson.ReadFile(file), file)
            : RecipeLoader.Load(file);
        dir ??= DefaultRunDir(Path.GetFileNameWithoutExtension(file), "resolved");
        var run = Pretrainer.Start(config, dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), ConfigWriter.ToYaml(config, [$"config: {Path.GetFullPath(file)}"]));
        return run;
    }

    /// <summary>Trains with a progress bar; the first Ctrl-C asks the trainer to stop and save, a second one kills.</summary>
    internal static PretrainResult TrainWithConsole(Pretrainer run)
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
        // SIGTERM (a job scheduler, `timeout`, a study runner) also stops at the next step and saves:
        // a process started in the background by a shell ignores SIGINT, but not SIGTERM.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            if (cancel.IsCancellationRequested) return;
            Console.Error.WriteLine("\nterminated: stopping after this step and saving a checkpoint...");
            cancel.Cancel();
        });
        Progress? bar = null;
        try
        {
            var reporter = new SynchronousProgress<TrainProgress>(p =>
            {
                bar ??= new Progress("pretrain", (long)p.Epochs * p.BatchesPerEpoch);
                // The end-of-epoch report carries the kNN monitor and no iteration.
                if (p.Knn is { } knn && p.Losses.Count == 0)
                {
                    bar.Status = $"epoch {p.Epoch + 1}/{p.Epochs} kNN {KnnText(knn)}";
                    return;
                }
                bar.Status = $"epoch {p.Epoch + 1}/{p.Epochs} widths {string.Join(",", p.Widths.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture)))} " +
                             $"loss {p.Losses[0].ToString("0.000", CultureInfo.InvariantCulture)} {p.ImagesPerSecond:F0} img/s";
                bar.Advance();
            });
            return run.Train(cancel.Token, reporter);
        }
        finally
        {
            bar?.Dispose();
            Console.CancelKeyPress -= onCancel;
        }
    }

    internal static string KnnText(IReadOnlyDictionary<double, double> knn) =>
        string.Join(" ", knn.OrderByDescending(e => e.Key).Select(e =>
            $"{e.Key.ToString("0.##", CultureInfo.InvariantCulture)}x={e.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and race the bar).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
