using US3L.Cli.Studies;
using US3L.Config;
using US3L.Training;

namespace US3L.Cli.Tests;

[Collection(CpuHeavyCollection.Name)]
public class StudyTests
{
    [Fact]
    public void TheShippedCollapseStudyResolvesEveryRunAndEndsEachWithItsSeed()
    {
        var study = StudyDefinition.Load("collapse");
        var runs = study.Runs();
        Assert.Equal(runs.Count, runs.Select(r => r.Name).Distinct().Count());
        var naive = runs.Single(r => r.Name == "x1-naive-simsiam-s2");
        Assert.Equal("seed=2", naive.Overrides[^1]);
        var config = RecipeLoader.Load(naive.Arm.Recipe, naive.Arm.Profile, naive.Overrides);
        Assert.Equal((0.1, 5e-3, LrSchedule.Constant, 2L), (config.Lr, config.WeightDecay, config.LrSchedule, config.Seed));
        // The arm's own settings come after the common ones: an individual control evaluates its own width only.
        var individual = RecipeLoader.Load("fashion-mnist-naive-simsiam", "short", runs.Single(r => r.Name == "x1-individual-simsiam-s0").Overrides);
        Assert.Equal(new[] { 1.0 }, individual.EvalWidths);
        var byol = RecipeLoader.Load("fashion-mnist-us3l", "short", runs.Single(r => r.Name == "x3-naive-byol-m0-s0").Overrides);
        Assert.Equal((0.0, EmaUpdate.EveryWidth, DistillHead.Shared, SamplerKind.SandwichReference, 4),
            (byol.EmaMomentum, byol.EmaUpdate, byol.DistillHead, byol.Sampler, byol.NumWidths));
    }

    [Fact]
    public void ExtraOverridesApplyToEveryArmAndABadOneIsRefusedBeforeAnythingRuns()
    {
        var study = StudyDefinition.Load("collapse", new[] { "epochs=1" });
        Assert.All(study.Runs(), r => Assert.Contains("epochs=1", r.Overrides));
        var bad = Assert.Throws<ConfigException>(() => StudyDefinition.Load("collapse", new[] { "epoch=1" }));
        Assert.Contains("unknown key 'epoch'", bad.Message);
    }

    [Fact]
    public void AStudyFileNamesItsMistakes()
    {
        var noArms = Assert.Throws<ConfigException>(() => StudyDefinition.Parse("description: x\narms: []\n", "s.yaml"));
        Assert.Contains("lists no arms", noArms.Message);
        var twice = Assert.Throws<ConfigException>(() => StudyDefinition.Parse(
            "arms:\n  - {name: a, recipe: fashion-mnist-us3l}\n  - {name: a, recipe: fashion-mnist-us3l}\n", "s.yaml"));
        Assert.Contains("two arms are called 'a'", twice.Message);
        var key = Assert.Throws<ConfigException>(() => StudyDefinition.Parse("arms:\n  - {name: a, recipe: r, seed: [1]}\n", "s.yaml"));
        Assert.Contains("unknown arm key 'seed'", key.Message);
    }

    [Fact]
    public void TheOutcomeReadsTheLastKnnAndTheLastThreeMonitoredMetersPerWidth()
    {
        var dir = Directory.CreateTempSubdirectory("us3l-study-").FullName;
        try
        {
            string Meter(double w, double level, double rank) => $"{{\"width\":{w},\"level\":{level},\"effective_rank\":{rank}}}";
            string Iteration(int i, string? meters) =>
                $"{{\"kind\":\"iteration\",\"iteration\":{i},\"loss\":[-0.5,-0.4],\"collapse_backbone\":{meters ?? "null"}}}";
            File.WriteAllLines(Path.Combine(dir, "metrics.jsonl"), new[]
            {
                Iteration(0, $"[{Meter(1.0, 0.1, 50)},{Meter(0.25, 0.2, 40)}]"),
                Iteration(1, null),
                Iteration(2, $"[{Meter(1.0, 0.9, 3)},{Meter(0.25, 0.9, 2)}]"),
                Iteration(3, $"[{Meter(1.0, 0.9, 3)},{Meter(0.25, 0.6, 2)}]"),
                Iteration(4, $"[{Meter(1.0, 0.9, 3)},{Meter(0.25, 0.9, 2)}]"),
                "{\"kind\":\"epoch\",\"epoch\":0,\"knn\":[{\"width\":1.0,\"top1\":0.7},{\"width\":0.25,\"top1\":0.12}]}",
                "{\"kind\":\"end\",\"interrupted\":false,\"epoch\":1,\"seconds\":3.5}",
            });
            var config = new PretrainConfig { Epochs = 1, Dataset = "fashion-mnist", EvalWidths = new[] { 1.0, 0.25 } };
            var outcome = RunOutcome.Read("run", dir, config);
            Assert.True(outcome.Finished);
            Assert.Equal(5, outcome.Iterations);
            Assert.Equal((-0.5, -0.4), (outcome.LastLossMax!.Value, outcome.LastLossMin!.Value));
            var small = outcome.Widths.Single(w => w.Width == 0.25);
            Assert.Equal(0.12, small.Knn);
            Assert.Equal(0.8, small.BackboneLevel!.Value, 12); // (0.9 + 0.6 + 0.9) / 3: the first meter is too old
            // kNN 0.12 is within 5 points of chance (0.10): a complete collapse.
            Assert.Equal(CollapseKind.Complete, outcome.Collapse);
            // With kNN well above chance the 1.0x backbone level (0.9 > 0.8) is a dimensional collapse; below the alarm nothing is.
            var healthyKnn = outcome with { Widths = outcome.Widths.Select(w => w with { Knn = 0.5 }).ToArray() };
            Assert.Equal(CollapseKind.Dimensional, healthyKnn.Collapse);
            Assert.Equal(CollapseKind.None, (healthyKnn with { Widths = healthyKnn.Widths.Select(w => w with { BackboneLevel = 0.8 }).ToArray() }).Collapse);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
