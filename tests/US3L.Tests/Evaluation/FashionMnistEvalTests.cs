using US3L.Evaluation;
using US3L.Tests.Data;

namespace US3L.Tests.Evaluation;

/// <summary>
/// The tools on real data with a known answer: raw Fashion-MNIST pixels (10k train / 2k test).
/// Raw-pixel kNN is known to reach about 0.85 on the full split (science.md 8.1) and a linear
/// classifier on pixels about 0.84; the smaller bank here lands a little lower. Raw-pixel cosines
/// are all high (0.6-1), so exp(cos/0.1) barely separates near from far neighbours and k = 200
/// dilutes the vote: PyTorch gives 0.81 at k = 20 and 0.7275 at k = 200 on this exact split.
/// </summary>
public class FashionMnistEvalTests
{
    private static readonly Lazy<(InMemoryImageDataset train, InMemoryImageDataset test)> Data = new(() =>
        (FashionMnist.Load(train: true, subset: Subset.First(10_000)), FashionMnist.Load(train: false, subset: Subset.First(2_000))));

    [Fact]
    public void RawPixelKnnAndLinearProbeReachTheKnownRange()
    {
        var (trainSet, testSet) = Data.Value;
        using var train = FeatureBank.Extract(FeatureBank.Pixels, trainSet);
        using var test = FeatureBank.Extract(FeatureBank.Pixels, testSet);
        Assert.Equal((10_000, 784, 10), (train.Count, train.Dim, train.NumClasses));

        var knn = Knn.Evaluate(train, test, new[] { new KnnOptions(20, 0.1), new KnnOptions(200, 0.1) });
        Assert.InRange(knn[0].Top1, 0.78, 0.88);
        Assert.InRange(knn[1].Top1, 0.70, 0.80);
        Assert.True(knn[0].Top1 > knn[1].Top1);
        Assert.InRange(knn[0].Top5!.Value, 0.95, 1.0);

        var probe = LinearProbe.Fit(train, test, new LinearProbeOptions(Epochs: 5));
        Assert.InRange(probe.TestTop1, 0.78, 0.88);
        Assert.InRange(probe.TrainTop1, 0.82, 0.95);
    }

    [Fact]
    public void KnnMatchesPyTorch()
    {
        // The solo-learn rule written in PyTorch, on the same images (first 3000 train, first 500 test).
        const string script = """
            import gzip, sys, numpy as np, torch
            import torch.nn.functional as F
            d = '/usr/share/datasets/fashion-mnist/'
            def images(p, n): return torch.tensor(np.frombuffer(gzip.open(d + p).read(), np.uint8, offset=16).reshape(-1, 784)[:n]).float() / 255
            def labels(p, n): return torch.tensor(np.frombuffer(gzip.open(d + p).read(), np.uint8, offset=8)[:n].astype(np.int64))
            bank = F.normalize(images('train-images-idx3-ubyte.gz', 3000), dim=1)
            bank_labels = labels('train-labels-idx1-ubyte.gz', 3000)
            queries = F.normalize(images('t10k-images-idx3-ubyte.gz', 500), dim=1)
            truth = labels('t10k-labels-idx1-ubyte.gz', 500)
            for k, t in ((20, 0.1), (200, 0.1), (50, 0.07)):
                w, i = (queries @ bank.T).topk(k, dim=1)
                scores = torch.zeros(500, 10).scatter_add(1, bank_labels[i], (w / t).exp())
                print((scores.argmax(1) == truth).sum().item())
            """;
        var expected = Python.Run(script).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        using var bank = FeatureBank.Extract(FeatureBank.Pixels, FashionMnist.Load(train: true, subset: Subset.First(3000)));
        using var queries = FeatureBank.Extract(FeatureBank.Pixels, FashionMnist.Load(train: false, subset: Subset.First(500)));
        var ours = Knn.Evaluate(bank, queries, new[] { new KnnOptions(20, 0.1), new KnnOptions(200, 0.1), new KnnOptions(50, 0.07) });
        for (var i = 0; i < 3; i++)
            Assert.InRange((long)Math.Round(ours[i].Top1 * 500), expected[i] - 1, expected[i] + 1); // one near-tie may flip with float32 summation order
    }

    [Fact]
    public void RawPixelsAreFarFromCollapsed()
    {
        var (_, testSet) = Data.Value;
        using var test = FeatureBank.Extract(FeatureBank.Pixels, testSet);
        using var scope = torch.NewDisposeScope();
        var s = CollapseMeter.Measure(test.Features.narrow(0, 0, 1000));
        Assert.False(s.Alarm);
        Assert.InRange(s.EffectiveRank, 20, 784);
        // Non-negative pixels share a mean direction: the cosine is well above 0 but far from 1.
        Assert.InRange(s.MeanCosine, 0.2, 0.9);
    }
}
