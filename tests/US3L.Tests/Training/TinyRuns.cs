using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>Tiny configs for trainer tests: synthetic 32x32 shapes, the fast mini model, small heads.</summary>
internal static class TinyRuns
{
    public static PretrainConfig Config => Designs.Get("us3l-byol", Designs.CpuBase) with
    {
        Dataset = "synthetic", Augmentation = "cifar", TrainSubset = 96, BatchSize = 32, Epochs = 2,
        ProjectorHidden = 64, ProjectorOut = 32, PredictorHidden = 64, KnnEvery = -1, KnnSubset = 120,
        MonitorEvery = 2, Seed = 7, WeightDecay = 1e-4,
    };

    public static string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "us3l-trainer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The per-iteration lines of a run's metrics.jsonl.</summary>
    public static List<System.Text.Json.JsonElement> Iterations(string runDir) =>
        File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "iteration").ToList();

    public static double[] Doubles(System.Text.Json.JsonElement e, string name) =>
        e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();
}
