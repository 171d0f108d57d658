using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>
/// MobileNetV2 keeps its last 1×1 conv at 1280 channels at every width, so F(w) does not follow the
/// width; the projector must read all 1280 features at every width (the recipe
/// cifar100-mobilenetv2-byol trains it so).
/// </summary>
public class FixedFeatureBackboneTests
{
    [Fact]
    public void AMobileNetV2RunTrainsSubNetworksThroughAProjectorThatReadsEveryFeature()
    {
        var config = TinyRuns.Config with
        {
            Arch = "us_cifar_mobilenetv2", Divisor = 8, TrainSubset = 32, BatchSize = 16, Epochs = 1, Sampler = SamplerKind.Sandwich,
        };
        var dir = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(config, dir)) run.Train();
        var iterations = TinyRuns.Iterations(dir);
        Assert.Equal(2, iterations.Count);
        Assert.All(iterations, i =>
        {
            Assert.Contains(TinyRuns.Doubles(i, "widths"), w => w < 1.0);
            // Every sampled width, the sub-widths through the full 1280-feature projector, logs a finite loss.
            Assert.Equal(TinyRuns.Doubles(i, "widths").Length, TinyRuns.Doubles(i, "loss").Count(double.IsFinite));
        });
    }

    [Fact]
    public void AResNetProjectorStillSlimsItsInputWithTheWidth()
    {
        using var setup = new TrainingSetup(TinyRuns.Config);
        var first = setup.Network.Projector.modules().OfType<US3L.Slimmable.USLinear>().Single();
        Assert.True(first.SlimIn);
    }
}
