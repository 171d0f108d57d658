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
    }

    [Fact]
    public void PredictorIsLinearNoBiasBnReluLinear()
    {
        using var predictor = MlpHeads.Predictor(32, 64, 32);
        var names = predictor.named_parameters().Select(p => p.name).ToArray();
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "3.weight", "3.bias" }, names);
    }
}
