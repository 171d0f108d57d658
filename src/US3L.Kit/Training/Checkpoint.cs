using System.Globalization;
using US3L.Torch;
using US3L.Torch.Serialization;

namespace US3L.Training;

/// <summary>Where training continues and what it has counted so far (the checkpoint's metadata).</summary>
internal sealed record TrainPosition(int Epoch, int Batch, long Iteration, long MetricsLines, long OptimizerSteps,
    long TeacherForwards, long Passes, double Macs);

/// <summary>
/// checkpoints/last.safetensors: the online network (<c>model.*</c>: backbone, heads, MoCo queue),
/// the teacher (<c>teacher.*</c>), the optimizer (<c>optimizer.*</c>), the augmentation generator's
/// and torch's default RNG states (<c>rng.*</c>), and the images and targets the target drift meter
/// kept for the next iteration when it is a monitored one (<c>drift.*</c>, see <see cref="TargetDrift"/>);
/// the position, counters and resolved config in the metadata. The sampler's state is its seed and iteration count, both in the metadata. Written
/// atomically (temporary file + rename), so a crash never leaves half a checkpoint.
/// </summary>
internal static class Checkpoint
{
    public static string PathIn(string runDir) => Path.Combine(runDir, "checkpoints", "last.safetensors");

    public static void Save(string path, TrainingSetup s, TrainPosition position)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, v) in s.Network.state_dict()) tensors["model." + k] = v;
        if (s.Teacher is not null)
            foreach (var (k, v) in s.Teacher.state_dict()) tensors["teacher." + k] = v;
        foreach (var (k, v) in s.Optimizer.state_dict()) tensors["optimizer." + k] = v;
        tensors["rng.augment"] = s.Generator.get_state();
        tensors["rng.torch"] = torch.get_rng_state();
        if (s.Loop.Drift?.Pending is { } kept)
        {
            tensors["drift.views.0"] = kept.Views.V1;
            tensors["drift.views.1"] = kept.Views.V2;
            tensors["drift.targets.0"] = kept.Targets.V1;
            tensors["drift.targets.1"] = kept.Targets.V2;
        }
        var meta = new Dictionary<string, string>
        {
            ["format"] = "us3l-pretrain-1",
            ["epoch"] = Text(position.Epoch),
            ["batch"] = Text(position.Batch),
            ["iteration"] = Text(position.Iteration),
            ["metrics_lines"] = Text(position.MetricsLines),
            ["optimizer_steps"] = Text(position.OptimizerSteps),
            ["teacher_forwards"] = Text(position.TeacherForwards),
            ["passes"] = Text(position.Passes),
            ["macs"] = position.Macs.ToString("R", CultureInfo.InvariantCulture),
            ["sampler_seed"] = Text(s.Sampler.Seed),
            ["arch"] = s.Config.Arch,
            ["config"] = ConfigJson.Write(s.Config),
        };
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Deletes the temporary files of checkpoint writes that never finished (a process killed while
    /// saving leaves one next to the checkpoint; see <see cref="Safetensors.Save"/>).
    /// </summary>
    public static void RemoveUnfinished(string runDir)
    {
        var folder = Path.GetDirectoryName(PathIn(runDir))!;
        if (!Directory.Exists(folder)) return;
        foreach (var temp in Directory.GetFiles(folder, "." + Path.GetFileName(PathIn(runDir)) + ".*.tmp")) File.Delete(temp);
    }

    /// <summary>Loads a checkpoint into a freshly built setup and returns where to continue.</summary>
    public static TrainPosition Load(string path, TrainingSetup s)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var (tensors, meta) = Safetensors.Load(path);
        try
        {
            if (!meta.TryGetValue("format", out var format) || format != "us3l-pretrain-1")
                throw new InvalidDataException($"{path} is not a pretraining checkpoint (format '{format ?? "missing"}').");
            var network = Prefixed(tensors, "model.");
            if (Models.StateDictFit.Problems(s.Network, network) is { } problems)
                throw new InvalidDataException($"{path} does not fit the run's config (arch {s.Config.Arch}): {problems}. Is config.json the one this checkpoint was trained with?");
            s.Network.load_state_dict(network);
            if (s.Teacher is not null) s.Teacher.load_state_dict(Prefixed(tensors, "teacher."));
            s.Optimizer.load_state_dict(Prefixed(tensors, "optimizer."));
            s.Generator.set_state(tensors["rng.augment"]);
            torch.set_rng_state(tensors["rng.torch"]);
            if (s.Loop.Drift is { } drift && tensors.ContainsKey("drift.views.0"))
                using (torch.NewDisposeScope())
                    drift.Remember(new Methods.ViewPair(tensors["drift.views.0"].to(s.Device), tensors["drift.views.1"].to(s.Device)),
                        new Methods.ViewPair(tensors["drift.targets.0"].to(s.Device), tensors["drift.targets.1"].to(s.Device)));
            var position = new TrainPosition(Int(meta, "epoch"), Int(meta, "batch"), Long(meta, "iteration"), Long(meta, "metrics_lines"),
                Long(meta, "optimizer_steps"), Long(meta, "teacher_forwards"), Long(meta, "passes"),
                double.Parse(meta["macs"], CultureInfo.InvariantCulture));
            s.Sampler.Restore(new Sampling.WidthSamplerState(Long(meta, "sampler_seed"), position.Iteration));
            s.Loop.RestoreCounters(position.OptimizerSteps, position.TeacherForwards);
            return position;
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"{path} is incomplete: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>The entries under <paramref name="prefix"/>, with the prefix removed.</summary>
    public static Dictionary<string, Tensor> Prefixed(IReadOnlyDictionary<string, Tensor> all, string prefix) =>
        all.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static long Long(Dictionary<string, string> m, string k) => long.Parse(m[k], CultureInfo.InvariantCulture);
    private static int Int(Dictionary<string, string> m, string k) => int.Parse(m[k], CultureInfo.InvariantCulture);
}
