using US3L.Evaluation;
using US3L.Torch.nn;

namespace US3L.Tests.Evaluation;

public class FeatureBankTests
{
    [Fact]
    public void PixelFeaturesComeBackInDatasetOrderWithTheirLabels()
    {
        var data = TinyData.Images(23, classes: 3);
        using var bank = FeatureBank.Extract(FeatureBank.Pixels, data, batchSize: 5);
        Assert.Equal((23, 16, 3), (bank.Count, bank.Dim, bank.NumClasses));
        Assert.Equal(ScalarType.Float32, bank.Features.dtype);
        Assert.Equal("tiny", bank.Name);
        var features = bank.Features.ToArray<float>();
        var labels = bank.Labels.ToArray<long>();
        for (var i = 0; i < 23; i++)
        {
            Assert.Equal(data.Label(i), labels[i]);
            var image = data.GetImage(i);
            for (var p = 0; p < 16; p++) Assert.Equal(image[p] / 255f, features[i * 16 + p], 6);
        }
    }

    [Fact]
    public void ModelRunsInEvalModeWithoutGradientsAndGetsItsModeBack()
    {
        var data = TinyData.Images(12);
        using var bn = new BatchNorm1d(16);
        var sawTraining = new List<bool>();
        var sawGrad = new List<bool>();
        Tensor Extract(Tensor images)
        {
            sawTraining.Add(bn.training);
            sawGrad.Add(torch.is_grad_enabled());
            return bn.forward(FeatureBank.Pixels(images));
        }
        bn.train();
        using (var bank = FeatureBank.Extract(Extract, data, bn, batchSize: 4))
            Assert.False(bank.Features.requires_grad);
        Assert.Equal(3, sawTraining.Count);
        Assert.All(sawTraining, Assert.False);
        Assert.All(sawGrad, Assert.False);
        Assert.True(bn.training);
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void ShuffledLoaderKeepsFeaturesAndLabelsPaired()
    {
        // Class c has brightness around 40 + 50c, so the first pixel alone tells the label.
        var data = TinyData.Images(40, classes: 3);
        using var bank = FeatureBank.Extract(FeatureBank.Pixels, new DataLoader(data, 8, shuffle: true, seed: 5));
        var first = bank.Features.select(1, 0).ToArray<float>();
        var labels = bank.Labels.ToArray<long>();
        for (var i = 0; i < 40; i++) Assert.Equal(labels[i], (long)Math.Round((first[i] * 255 - 40) / 50));
    }

    [Fact]
    public void PrefixKeepsTheLeadingFeatures()
    {
        using var bank = TinyData.Gaussian(5, 6, 2, seed: 1);
        using var prefix = bank.Prefix(4);
        Assert.Equal(4, prefix.Dim);
        using var scope = torch.NewDisposeScope();
        Assert.True(prefix.Features.isclose(bank.Features.narrow(1, 0, 4)).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => bank.Prefix(7));
    }

    [Fact]
    public void ExtractorOfTheWrongShapeIsNamedInTheError()
    {
        var data = TinyData.Images(6);
        var e = Assert.Throws<InvalidOperationException>(() => FeatureBank.Extract(images => FeatureBank.UnitFloat(images), data));
        Assert.Contains("[B, F]", e.Message);
        Assert.Contains("[6, 1, 4, 4]", e.Message);
    }
}
