using US3L.Heads;
using US3L.Slimmable;
using US3L.Torch;

namespace US3L.Tests.Heads;

public class MlpHeadsTests
{
    [Fact]
    public void ProjectorReadsTheFirstFeaturesAtAnyWidthAndKeepsItsOutput()
    {
        using var projector = MlpHeads.Projector(128, 64, 32, divisor: 4);
        using var scope = torch.NewDisposeScope();
        projector.SetWidth(0.25);
        var out1 = projector.forward(torch.randn(8, 32));
        Assert.Equal(new long[] { 8, 32 }, out1.shape);
        projector.SetWidth(1.0);
        Assert.Equal(new long[] { 8, 32 }, projector.forward(torch.randn(8, 128)).shape);
        Assert.IsType<USLinear>(projector.modules().OfType<USLinear>().Single());
    }

    [Fact]
    public void SimSiamProjectorEndsWithABatchNormWithoutAffine()
    {
        using var projector = MlpHeads.Projector(128, 64, 32, divisor: 4, finalBatchNorm: true);
        var bn = projector.modules().OfType<US3L.Torch.nn.BatchNorm1d>().Last();
        Assert.Null(bn.weight);
        Assert.Equal(9, projector.named_parameters().Count()); // 2 + 2 + 1 + 2 + 2: no affine in the final BN
        // simsiam.py L99: the bias before that BN is frozen; every other parameter trains.
        Assert.Equal(new[] { "6.bias" }, projector.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name));
        using var plain = MlpHeads.Projector(128, 64, 32, divisor: 4);
        Assert.All(plain.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void PredictorIsLinearNoBiasBnReluLinear()
    {
        using var predictor = MlpHeads.Predictor(32, 64, 32);
        var names = predictor.named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "3.weight", "3.bias" }, names);
    }

    [Fact]
    public void HeadsDrawnFromASeededGeneratorIgnoreTheProcessWideOne()
    {
        using var scope = torch.NewDisposeScope();
        Tensor Weights(Func<Generator?, US3L.Torch.nn.Sequential> build, Generator? generator)
        {
            torch.randn(17); // a draw elsewhere in the process moves the process-wide generator
            using var head = build(generator);
            return torch.cat(head.parameters().Select(p => p.detach().flatten()).ToArray()).clone();
        }
        foreach (Func<Generator?, US3L.Torch.nn.Sequential> build in new Func<Generator?, US3L.Torch.nn.Sequential>[]
                 { g => MlpHeads.Projector(128, 64, 32, divisor: 4, generator: g), g => MlpHeads.Predictor(32, 64, 32, g) })
        {
            using var first = new Generator(7);
            using var second = new Generator(7);
            Assert.True(Same(Weights(build, first), Weights(build, second)));
            // Without one, the heads follow the process-wide generator, which the draw above moved.
            Assert.False(Same(Weights(build, null), Weights(build, null)));
        }
    }

    [Fact]
    public void ATrainingRunsHeadsComeFromItsSeedInOrderProjectorPredictorAuxiliaryHead()
    {
        var config = US3L.Tests.Training.Designs.CpuBase with { TrainSubset = 64, BatchSize = 32, Seed = 11 };
        // Another thread draws from the process-wide generator all the while the run is built.
        using var stop = new CancellationTokenSource();
        var drawer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested) torch.randn(64).Dispose();
        });
        drawer.Start();
        US3L.Training.TrainingSetup setup;
        try { setup = new US3L.Training.TrainingSetup(config); }
        finally { stop.Cancel(); drawer.Join(); }
        using var _ = setup;
        using var g = new Generator(11);
        using var projector = MlpHeads.Projector(setup.Network.Backbone.FeatureDim(1.0), config.ProjectorHidden, config.ProjectorOut,
            config.Divisor, setup.Method.ProjectorFinalBatchNorm, g);
        using var predictor = MlpHeads.Predictor(config.ProjectorOut, config.PredictorHidden, config.ProjectorOut, g);
        using var aux = MlpHeads.Predictor(config.ProjectorOut, config.PredictorHidden, config.ProjectorOut, g);
        AssertSame(projector, setup.Network.Projector);
        AssertSame(predictor, setup.Network.Predictor!);
        AssertSame(aux, setup.Network.AuxHead!);
    }

    private static void AssertSame(US3L.Torch.nn.Module expected, US3L.Torch.nn.Module actual)
    {
        var a = expected.parameters().ToList();
        var b = actual.parameters().ToList();
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++) Assert.True(Same(a[i], b[i]), $"parameter {i} differs");
    }

    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && (a.detach() - b.detach()).abs().max().item<float>() == 0;
    }
}
