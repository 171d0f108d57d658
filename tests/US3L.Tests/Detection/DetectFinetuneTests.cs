using System.Text.Json;
using US3L.Config;
using US3L.Detection;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Tests.Training;
using US3L.Torch.Serialization;
using US3L.Training;

namespace US3L.Tests.Detection;

/// <summary>Detection fine-tuning runs (science.md 10.6): results per width, resume, checkpoints it starts from, recipes.</summary>
[Collection(SeededTrainingCollection.Name)]
public class DetectFinetuneTests
{
    /// <summary>Two iterations per width on eight 64-pixel scenes, evaluated on four.</summary>
    private static DetectFinetuneConfig Tiny => DetectRecipes.Load("scenes", "smoke", new[]
    {
        "scene_train=8", "scene_val=4", "widths=[1.0, 0.5]", "epochs=1", "batch_size=4", "calibration_batches=1", "seed=7",
    });

    [Fact]
    public void EveryWidthGetsBoxAndMaskApAndAnInterruptedRunResumesExactly()
    {
        using var dir = new TempDirectory();
        var straight = Path.Combine(dir.Path, "straight");
        DetectResults a;
        using (var run = DetectFinetuner.Start(Tiny, straight)) a = run.Run();
        Assert.True(a.Complete);
        Assert.Equal(new[] { 1.0, 0.5 }, a.Results.Select(r => r.Width));
        foreach (var r in a.Results)
        {
            Assert.Equal(2, r.Iterations);
            Assert.Equal(4, r.EvalImages);
            Assert.All(r.Box.ToArray().Concat(r.Mask.ToArray()), v => Assert.True(v == -1 || v is >= 0 and <= 1, $"{v}"));
            Assert.True(double.IsFinite(r.FinalLoss));
        }
        Assert.True(a.Results[0].BackboneMacs > 3 * a.Results[1].BackboneMacs, "width 0.5 costs about a quarter of width 1.0");
        Assert.Equal(a.ToJson(), DetectResults.Read(DetectFinetuner.ResultsPath(straight)).ToJson());

        // Stop at the first iteration of width 0.5, then resume.
        var split = Path.Combine(dir.Path, "split");
        using (var cts = new CancellationTokenSource())
        using (var run = DetectFinetuner.Start(Tiny, split))
        {
            var partial = run.Run(cts.Token, new SyncProgress<DetectProgress>(p =>
            {
                if (p.Width == 0.5 && p.Phase == "train" && p.Iteration == 1) cts.Cancel();
            }));
            Assert.False(partial.Complete);
            Assert.Single(partial.Results);
            Assert.True(File.Exists(DetectFinetuner.CheckpointPath(split, 0.5)));
        }
        DetectResults b;
        using (var run = DetectFinetuner.Resume(split)) b = run.Run();
        Assert.True(b.Complete);
        Assert.False(File.Exists(DetectFinetuner.CheckpointPath(split, 0.5)), "a finished width's checkpoint is removed");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(a.Results[i].Box.ToArray(), b.Results[i].Box.ToArray());
            Assert.Equal(a.Results[i].Mask.ToArray(), b.Results[i].Mask.ToArray());
            Assert.Equal(a.Results[i].FinalLoss, b.Results[i].FinalLoss, 1e-6);
        }
        var (la, lb) = (Losses(straight), Losses(split));
        Assert.Equal(la.Count, lb.Count);
        for (var i = 0; i < la.Count; i++) Assert.Equal(la[i], lb[i], 1e-6);
    }

    [Fact]
    public void AFinishedWidthKeepsItsDetectorWhichDetectsAsTheEvaluationDid()
    {
        using var dir = new TempDirectory();
        var runDir = Path.Combine(dir.Path, "run");
        using var run = DetectFinetuner.Start(Tiny with { Widths = new[] { 0.5 } }, runDir);
        var result = Assert.Single(run.Run().Results);
        Assert.True(File.Exists(DetectFinetuner.DetectorPath(runDir, 0.5)));
        Assert.Throws<FileNotFoundException>(() => run.LoadDetector(1.0));

        // The saved detector, evaluated again on the same images, gives the run's numbers exactly.
        using var detector = run.LoadDetector(0.5);
        Assert.False(detector.training);
        var evaluator = new CocoEvaluator(run.Val.NumClasses);
        for (var i = 0; i < result.EvalImages; i++)
        {
            using var sample = run.Val.Get(i);
            var found = detector.Detect(new[] { sample.Image });
            using (found[0]) evaluator.Add(run.Val.GroundTruth(i), found[0].ToPredictions(detector.Options.MaskThreshold));
        }
        Assert.Equal(result.Box.ToArray(), evaluator.Evaluate(IouType.Box).Summary.ToArray());
        Assert.Equal(result.Mask.ToArray(), evaluator.Evaluate(IouType.Mask).Summary.ToArray());
    }

    private static List<double> Losses(string runDir) => File.ReadLines(Path.Combine(runDir, "metrics.jsonl"))
        .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("kind").GetString() == "iteration")
        .Select(e => e.GetProperty("loss").GetDouble()).ToList();

    [Fact]
    public void LearningRateWarmsUpInTheFirstEpochAndStepsAtTheGivenEpochs()
    {
        using var dir = new TempDirectory();
        var config = Tiny with { Lr = 0.1, WarmupFactor = 0.001, LrSteps = new[] { 2, 3 }, LrGamma = 0.1, Epochs = 4 };
        using var run = DetectFinetuner.Start(config, Path.Combine(dir.Path, "run"));
        Assert.Equal(0.1 * 0.001, run.LearningRate(0, 0, 10), 12);
        Assert.Equal(0.1 * (0.001 + 0.999 * 5 / 10), run.LearningRate(0, 5, 10), 12);
        Assert.Equal(0.1, run.LearningRate(0, 10, 10), 12);
        Assert.Equal(0.1, run.LearningRate(1, 0, 10), 12);
        Assert.Equal(0.01, run.LearningRate(2, 30, 10), 12);
        Assert.Equal(0.001, run.LearningRate(3, 40, 10), 12);
    }

    [Fact]
    public void ThePretrainedBackboneComesFromARunCheckpointAStateDictOrAnExportedWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        using var source = ModelRegistry.Create("us_resnet10_mini", new ModelOptions { InChannels = 1, Divisor = 4, Seed = 21 });
        var expected = source.state_dict()["layer3.0.conv2.weight"];

        // A pretraining run's checkpoint: keys under model.backbone., the run's config in the metadata (divisor 4 wins over the config's 8).
        var pretrainConfig = Designs.CpuBase with { Divisor = 4, WidthMin = 0.25 };
        var run = Path.Combine(dir.Path, "last.safetensors");
        var tensors = source.state_dict().ToDictionary(e => "model.backbone." + e.Key, e => e.Value);
        tensors["teacher.conv1.weight"] = torch.zeros(1);
        Safetensors.Save(run, tensors, new Dictionary<string, string> { ["format"] = "us3l-pretrain-1", ["config"] = ConfigJson.Write(pretrainConfig) });
        var fromRun = DetectBackbone.Describe(Tiny with { Checkpoint = run }, 1);
        Assert.Equal(4, fromRun.Divisor);
        using (var loaded = fromRun.Create(0)) TensorAssert.Close(expected, loaded.state_dict()["layer3.0.conv2.weight"], 0);
        Assert.Contains("us_resnet10_mini", Assert.Throws<ArgumentException>(() => DetectBackbone.Describe(Tiny with { Checkpoint = run, Arch = "us_resnet18" }, 1)).Message);

        // A plain backbone state_dict (us3l import).
        var plain = Path.Combine(dir.Path, "plain.safetensors");
        Safetensors.Save(plain, source.state_dict(), new Dictionary<string, string> { ["arch"] = "us_resnet10_mini" });
        using (var loaded = DetectBackbone.Describe(Tiny with { Checkpoint = plain, Divisor = 4 }, 1).Create(0))
            TensorAssert.Close(expected, loaded.state_dict()["layer3.0.conv2.weight"], 0);
        Assert.Contains("divisor 8", Assert.Throws<ArgumentException>(() => DetectBackbone.Describe(Tiny with { Checkpoint = plain }, 1).Create(0)).Message);

        // A width-0.5 export: fills the first channels, and fine-tunes at 0.5 only.
        BnCalibration.Calibrate(source, 0.5, new[] { torch.randn(4, 1, 28, 28) });
        var exported = Path.Combine(dir.Path, "export.safetensors");
        WidthExporter.Save(source, 0.5, exported);
        var fromExport = DetectBackbone.Describe(Tiny with { Checkpoint = exported, Divisor = 4 }, 1);
        fromExport.CheckWidth(0.5);
        Assert.Contains("width 0.5", Assert.Throws<ArgumentException>(() => fromExport.CheckWidth(1.0)).Message);
        using (var loaded = fromExport.Create(0))
        {
            var w = loaded.state_dict()["layer3.0.conv2.weight"];
            TensorAssert.Close(expected.narrow(0, 0, 32).narrow(1, 0, 32), w.narrow(0, 0, 32).narrow(1, 0, 32), 0);
        }
    }

    [Fact]
    public void EveryDetectionRecipeProfileValidatesAndTheSmokeProfilesStaySmall()
    {
        Assert.Equal(new[] { "coco-r50-fpn-1x", "scenes" }, DetectRecipes.Names);
        foreach (var name in DetectRecipes.Names)
            foreach (var profile in RecipeLoader.StandardProfiles)
            {
                var recipe = DetectRecipes.Resolve(name, profile);
                Assert.Empty(recipe.Config.Problems());
                Assert.False(string.IsNullOrWhiteSpace(recipe.Description));
                if (profile == "smoke") Assert.Equal("cpu", recipe.Config.Device);
            }
        var coco = DetectRecipes.Load("coco-r50-fpn-1x", "full");
        Assert.Equal((800, 1333, 16, 0.02, 12), (coco.MinSize, coco.MaxSize, coco.BatchSize, coco.Lr, coco.Epochs));
        Assert.Equal(new[] { 8, 11 }, coco.LrSteps);
        var e = Assert.Throws<ConfigException>(() => DetectRecipes.Load("scenes", "smoke", new[] { "anchor_sizes=[16, 32]" }));
        Assert.Contains("anchor_sizes needs one size per pyramid level", e.Message);
        Assert.Contains("Did you mean 'scenes'", Assert.Throws<ConfigException>(() => DetectRecipes.Load("scene")).Message);
    }
}

/// <summary>Reports on the caller's thread, so a test can cancel at an exact step.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
