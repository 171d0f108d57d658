using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Tests.Slimmable;

namespace US3L.Tests.Evaluation;

/// <summary>Semi-supervised fine-tuning (science.md 6.8): the labelled subsets and the fine-tuning itself.</summary>
public class SemiSupervisedTests
{
    [Fact]
    public void AOnePercentSubsetIsClassBalancedAndSeeded()
    {
        var train = TinyData.Images(2000, classes: 10);
        var one = LabelFraction.Indices(train, 0.01, seed: 5);
        Assert.Equal(20, one.Length);
        Assert.Equal(20, one.Distinct().Count());
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(2, one.Count(i => train.Label(i) == c)));
        Assert.Equal(one, LabelFraction.Indices(train, 0.01, seed: 5));
        Assert.NotEqual(one.Order(), LabelFraction.Indices(train, 0.01, seed: 6).Order());
        var ten = LabelFraction.Indices(train, 0.1, seed: 5);
        Assert.Equal(200, ten.Length);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(20, ten.Count(i => train.Label(i) == c)));
        // Fewer labelled images than classes is no protocol.
        var e = Assert.Throws<ArgumentException>(() => LabelFraction.Indices(train, 0.001, seed: 5));
        Assert.Equal("tiny: 0.001 of 2000 images is 2 labelled images, fewer than its 10 classes; use a larger fraction or training set.", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelFraction.Indices(train, 1.5, seed: 5));
    }

    private const string MakeFolder = """
        import sys, os
        from PIL import Image
        root = sys.argv[1]
        for c in ["n01", "n02"]:
            for i in range(3):
                path = os.path.join(root, "train", c, f"{c}_{i}.png")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                Image.new("RGB", (8, 8), (40 * i, 100, 200)).save(path)
        """;

    [Fact]
    public void ASplitFileSelectsTheListedImagesAndNamesItsMistakes()
    {
        using var dir = new TempDirectory();
        Python.Run(MakeFolder, dir.Path);
        var train = ImageFolderDataset.Open(Path.Combine(dir.Path, "train"), new ImageFolderOptions { Height = 8, Width = 8 });
        var split = dir.File("1percent.txt", "n02_1.png\n\nn01_0.png\n"u8.ToArray());
        var indices = LabelFraction.FromSplitFile(train, split);
        Assert.Equal(new[] { "n02_1.png", "n01_0.png" }, indices.Select(i => Path.GetFileName(train.FilePath(i))));
        Assert.Equal(new[] { 1L, 0L }, indices.Select(i => train.Label(i)));

        var missing = dir.File("bad.txt", "n01_0.png\nn03_7.png\n"u8.ToArray());
        Assert.Equal($"{missing}:2: 'n03_7.png' is not an image of {train.Name} (6 images).",
            Assert.Throws<InvalidDataException>(() => LabelFraction.FromSplitFile(train, missing)).Message);
        var twice = dir.File("twice.txt", "n01_0.png\nn01_1.png\nn01_0.png\n"u8.ToArray());
        Assert.Equal($"{twice}:3: 'n01_0.png' is listed twice (first on line 1).",
            Assert.Throws<InvalidDataException>(() => LabelFraction.FromSplitFile(train, twice)).Message);
    }

    private static SlimmableNetwork Mini() => ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { Seed = 6 });

    private static SemiSupervisedOptions Smoke => SemiSupervisedOptions.For("fashion-mnist", "smoke", 0.1) with { Epochs = 4, Milestones = new[] { 3 } };

    [Fact]
    public void FineTuningRecoversASeparableTaskAndTrainsTheBackbone()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Mini();
        var before = model.state_dict()["layer1.0.conv1.weight"].clone();
        var labelled = TinyData.Brightness(60, seed: 1);
        var test = TinyData.Brightness(48, seed: 2);
        var r = SemiSupervisedFinetune.Run(model, 0.5, labelled, test, Smoke);
        Assert.True(r.TestTop1 >= 0.9, $"test top-1 {r.TestTop1} on a separable task (chance 0.33)");
        Assert.Equal((60, 48, 64), (r.LabelCount, r.TestCount, r.FeatureDim));
        Assert.True(SlimAssert.MaxAbs(model.state_dict()["layer1.0.conv1.weight"] - before) > 0, "the backbone did not move");
        // The running statistics follow the fine-tuned weights with PyTorch's EMA weight.
        Assert.All(model.modules().OfType<USBatchNorm2d>(), bn => Assert.Equal(0.1, bn.momentum));
    }

    [Fact]
    public void TheBackboneAndTheClassifierHaveTheirOwnRates()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Mini();
        var before = model.parameters().Select(p => p.clone()).ToList();
        var labelled = TinyData.Brightness(60, seed: 1);
        var test = TinyData.Brightness(48, seed: 2);
        // A backbone rate of 0 trains the classifier alone (on train-mode BN): not one backbone weight moves.
        var r = SemiSupervisedFinetune.Run(model, 1.0, labelled, test, Smoke with { BackboneLr = 0 });
        Assert.All(model.parameters().Zip(before), p => Assert.Equal(0, SlimAssert.MaxAbs(p.First - p.Second)));
        Assert.True(r.EpochLoss[^1] < r.EpochLoss[0], $"the classifier did not learn: losses {string.Join(", ", r.EpochLoss)}");
    }

    [Fact]
    public void TheFullProfileIsTheReferencesFineTuningRecipe()
    {
        var o = SemiSupervisedOptions.For("cifar100", "full", 0.01);
        Assert.Equal((50, 64, 0.01, 0.9, 1e-4), (o.Epochs, o.BatchSize, o.BackboneLr, o.Momentum, o.WeightDecay));
        Assert.Equal(new[] { 30, 40 }, o.Milestones);
        Assert.Equal(("linear-eval-cifar", "linear-eval-cifar-test"), (o.TrainAugmentation, o.TestAugmentation));
        Assert.Equal(new[] { 1.0, 1.0, 0.1, 0.01 }, new[] { 0, 29, 30, 45 }.Select(e => Math.Round(o.FactorAt(e), 12)));
        Assert.Equal("linear-eval-imagenet", SemiSupervisedOptions.For("image-folder", "short", 0.1).TrainAugmentation);
    }
}
