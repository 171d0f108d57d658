using US3L.Config;
using US3L.Heads;
using US3L.Losses;
using US3L.Methods;
using US3L.Sampling;
using US3L.Teacher;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.optim;
using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>US3L for the US-ViT with MoCo v3 (science.md 3.6): heads, distillation loss, optimizer and schedules.</summary>
public class MocoV3TrainingTests
{
    /// <summary>The mini US-ViT under the CPU recipe's method, at test size.</summary>
    private static PretrainConfig Vit => RecipeLoader.Load("fashion-mnist-vit-us3l-mocov3", "smoke") with
    {
        Dataset = "synthetic", Augmentation = "cifar", TrainSubset = 32, BatchSize = 16, Epochs = 2, WarmupEpochs = 1,
        Sampler = SamplerKind.Sandwich, ProjectorHidden = 64, ProjectorOut = 32, PredictorHidden = 64, KnnEvery = -1, KnnSubset = 32, Seed = 3,
    };

    private static Pretrainer Run(PretrainConfig config, Action<WidthStepTrace>? trace = null)
    {
        var run = Pretrainer.Start(config, TinyRuns.NewDir());
        if (trace is not null) run.Setup.Loop.Traced = trace;
        run.Train();
        return run;
    }

    private static IEnumerable<bool> Distilled(System.Text.Json.JsonElement iteration) =>
        iteration.GetProperty("distilled").EnumerateArray().Select(x => x.GetBoolean());

    [Fact]
    public void TheHeadsAreMocoV3sMlpsWithoutBiasesEndingInABatchNormWithoutAffine()
    {
        using var projector = MocoV3Heads.Projector(96, 64, 32, slimInput: false);
        using var predictor = MocoV3Heads.Predictor(32, 64, 32);
        // _build_mlp: Linear, BN, ReLU per hidden layer, then Linear and BN(affine=False); no Linear bias.
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight" },
            projector.named_parameters().Select(p => p.Item1));
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "3.weight" }, predictor.named_parameters().Select(p => p.Item1));
        Assert.Equal(new long[] { 64, 96 }, projector.named_parameters().First().Item2.shape);
        Assert.Equal(8, projector.children().Count());
        Assert.Equal(5, predictor.children().Count());
        // The last BN standardises every output: zero mean, unit variance over the batch.
        using var scope = torch.NewDisposeScope();
        projector.train();
        var z = projector.forward(torch.randn(16, 96));
        Assert.True(z.mean(new long[] { 0 }).abs().max().item<float>() < 1e-5);
        Assert.True((z.var(0, unbiased: false) - 1).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void TheAuxiliaryHeadStartsAsACopyOfThePredictorAndIsSeparateFromIt()
    {
        using var run = Pretrainer.Start(Vit, TinyRuns.NewDir());
        var network = run.Setup.Network;
        var predictor = network.Predictor!.state_dict();
        var aux = network.AuxHead!.state_dict();
        Assert.Equal(predictor.Keys, aux.Keys);
        foreach (var (key, value) in predictor)
        {
            Assert.Equal(0, (value - aux[key]).abs().max().item<float>());
            Assert.False(ReferenceEquals(value, aux[key]), key);
        }
        // A BYOL run's auxiliary head is drawn on its own (science 3.4).
        using var byol = Pretrainer.Start(TinyRuns.Config, TinyRuns.NewDir());
        using (var scope = torch.NewDisposeScope())
            Assert.True((byol.Setup.Network.Predictor!.state_dict()["0.weight"] - byol.Setup.Network.AuxHead!.state_dict()["0.weight"]).abs().max().item<float>() > 0);

        // Training moves them apart: the predictor trains at the max width, the copy at the sub-widths.
        run.Train();
        using (var scope = torch.NewDisposeScope())
            Assert.True((network.Predictor!.state_dict()["0.weight"] - network.AuxHead!.state_dict()["0.weight"]).abs().max().item<float>() > 0);
    }

    [Fact]
    public void SubWidthsTrainWithMocoV3sInfoNceAgainstTheKeptTeacherKeysThroughTheAuxiliaryHead()
    {
        var expected = new List<double>();
        using var run = Run(Vit, t =>
        {
            if (!t.Distilled) return;
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var head = t.Network.AuxHead!;
            var keys = t.Targets!.Value;
            expected.Add(MocoV3Loss.CrossView(head.forward(t.Online.V1), head.forward(t.Online.V2), keys.V1, keys.V2, Vit.Temperature).item<double>());
        });
        var logged = TinyRuns.Iterations(run.RunDir).SelectMany(i => TinyRuns.Doubles(i, "loss").Zip(Distilled(i)))
            .Where(p => p.Second).Select(p => p.First).ToList();
        Assert.NotEmpty(logged);
        Assert.Equal(expected.Count, logged.Count);
        Assert.All(expected.Zip(logged), p => Assert.Equal(p.First, p.Second, 1e-5));

        // The neg-cos criterion gives another loss on the same run (science 3.3 rows 7 and 8).
        using var negCos = Run(Vit with { DistillLoss = DistillLoss.NegativeCosine });
        var other = TinyRuns.Iterations(negCos.RunDir).SelectMany(i => TinyRuns.Doubles(i, "loss").Zip(Distilled(i)))
            .Where(p => p.Second).Select(p => p.First).ToList();
        Assert.All(other, v => Assert.InRange(v, -1, 1));
        Assert.All(logged, v => Assert.True(v > 1, $"InfoNCE 2τ·CE over {Vit.BatchSize} keys, summed over two orders, starts near 4τ·ln B; got {v}"));
    }

    [Fact]
    public void AdamWIsTheOptimizerWhenAskedAndSgdOtherwise()
    {
        using var adam = Pretrainer.Start(Vit, TinyRuns.NewDir());
        Assert.IsType<AdamW>(adam.Setup.Optimizer);
        Assert.Equal(0.1, adam.Setup.Optimizer.param_groups[0]["weight_decay"]);
        using var sgd = Pretrainer.Start(Vit with { Optimizer = OptimizerKind.Sgd }, TinyRuns.NewDir());
        Assert.IsType<SGD>(sgd.Setup.Optimizer);
    }

    [Fact]
    public void TheWarmupCosineRateIsSetEveryIterationAsTheReferenceDoes()
    {
        var c = Vit with { Lr = 0.3, Epochs = 3, WarmupEpochs = 1 };
        // adjust_learning_rate at t = epoch + i / iterations: linear from 0, then a half cosine.
        Assert.Equal(0, LearningRate.At(c, 0, 0, 2));
        Assert.Equal(0.15, LearningRate.At(c, 0, 1, 2), 12);
        Assert.Equal(0.3, LearningRate.At(c, 1, 0, 2), 12);
        Assert.Equal(0.3 * 0.5 * (1 + Math.Cos(Math.PI * 1.5 / 2)), LearningRate.At(c, 2, 1, 2), 12);
        Assert.True(LearningRate.PerIteration(c));
        Assert.False(LearningRate.PerIteration(c with { LrSchedule = LrSchedule.Cosine }));

        using var run = Run(c);
        var rates = TinyRuns.Iterations(run.RunDir).Select(i => i.GetProperty("lr").GetDouble()).ToArray();
        var expected = Enumerable.Range(0, 6).Select(k => LearningRate.At(c, k / 2, k % 2, 2)).ToArray();
        Assert.Equal(expected, rates, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void TheCosineEmaMomentumRisesToOneOverTheRunsIterations()
    {
        using var run = Run(Vit);
        var teacher = run.Setup.Teacher!;
        var schedule = Assert.IsType<CosineMomentum>(teacher.Momentum);
        Assert.Equal((0.98, 4L), (schedule.Start, schedule.TotalUpdates));
        Assert.Equal(4, teacher.NumUpdates);
        Assert.Equal(1.0, schedule.At(4), 12);
        using var constant = Pretrainer.Start(Vit with { EmaSchedule = EmaSchedule.Constant }, TinyRuns.NewDir());
        Assert.IsType<ConstantMomentum>(constant.Setup.Teacher!.Momentum);
    }

    [Theory]
    [InlineData("warmup_epochs=2", "lr_schedule=cosine", "warmup_epochs (2) needs lr_schedule warmup_cosine")]
    [InlineData("warmup_epochs=30", "lr_schedule=warmup_cosine", "warmup_epochs must be 0 or in [1, epochs = 30)")]
    [InlineData("ema_schedule=cosine", "ema_update=every_width", "ema_schedule cosine steps once per iteration")]
    public void InconsistentSchedulesAreRefusedWithTheKeyToChange(string first, string second, string message)
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load("fashion-mnist-vit-us3l-mocov3", "full", new[] { first, second }));
        Assert.Contains(message, e.Message);
    }
}
