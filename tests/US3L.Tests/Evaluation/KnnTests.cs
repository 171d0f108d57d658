using US3L.Evaluation;

namespace US3L.Tests.Evaluation;

public class KnnTests
{
    // Six unit-length bank points in the plane and two queries; cosines are read off by hand.
    //   p0 (1, 0) c0   p1 (0, 1) c1   p2 (-1, 0) c1   p3 (0.6, 0.8) c0   p4 (0.8, 0.6) c1   p5 (0, -1) c0
    // q0 = (1, 0), true class 0: cosines 1, 0, -1, 0.6, 0.8, 0   -> top 3: p0, p4, p3
    // q1 = (3, 4) (unnormalized on purpose), true class 1: cosines 0.6, 0.8, -0.6, 1, 0.96, -0.8 -> top 3: p3, p4, p1
    private static readonly double[,] BankPoints = { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0.6, 0.8 }, { 0.8, 0.6 }, { 0, -1 } };
    private static readonly long[] BankLabels = { 0, 1, 1, 0, 1, 0 };
    private static readonly double[,] QueryPoints = { { 1, 0 }, { 3, 4 } };
    private static readonly long[] QueryLabels = { 0, 1 };

    private static FeatureBank Bank() => new(torch.tensor(BankPoints).@float(), torch.tensor(BankLabels, 6), 2, "toy-bank");
    private static FeatureBank Queries() => new(torch.tensor(QueryPoints).@float(), torch.tensor(QueryLabels, 2), 2, "toy-queries");

    [Fact]
    public void ClassScoresAreTheHandComputedWeightedVotes()
    {
        using var scope = torch.NewDisposeScope();
        var scores = Knn.ClassScores(torch.tensor(BankPoints), torch.tensor(BankLabels, 6), torch.tensor(QueryPoints), 2,
            new KnnOptions(K: 3, Temperature: 0.1)).ToArray<double>();
        double[] expected =
        {
            Math.Exp(10) + Math.Exp(6), Math.Exp(8),     // q0: p0 + p3 for class 0, p4 for class 1
            Math.Exp(10), Math.Exp(9.6) + Math.Exp(8),   // q1: p3 for class 0, p4 + p1 for class 1
        };
        for (var i = 0; i < 4; i++) Assert.Equal(expected[i], scores[i], expected[i] * 1e-12);
    }

    [Fact]
    public void LowTemperatureLetsTheNearestNeighbourOutvoteTheMajority()
    {
        // q1's majority (2 of 3) is class 1, but at τ = 0.1 p3's weight e^10 beats e^9.6 + e^8; at τ = 1 the majority wins.
        using var bank = Bank();
        using var queries = Queries();
        var sharp = Knn.Evaluate(bank, queries, new KnnOptions(3, 0.1));
        var soft = Knn.Evaluate(bank, queries, new KnnOptions(3, 1.0));
        Assert.Equal(0.5, sharp.Top1);
        Assert.Equal(1.0, soft.Top1);
        Assert.Null(sharp.Top5); // two classes: top-5 says nothing
        Assert.Equal((6, 2, 2), (sharp.BankSize, sharp.QueryCount, sharp.Dim));
    }

    [Fact]
    public void SeveralSettingsInOnePassMatchSeparateRuns()
    {
        using var bank = TinyData.Gaussian(300, 16, 10, seed: 1);
        using var queries = TinyData.Gaussian(70, 16, 10, seed: 2);
        var settings = new[] { new KnnOptions(20, 0.1), new KnnOptions(200, 0.1), new KnnOptions(5, 0.5) };
        var together = Knn.Evaluate(bank, queries, settings, chunkSize: 16);
        for (var i = 0; i < settings.Length; i++)
        {
            var alone = Knn.Evaluate(bank, queries, settings[i], chunkSize: 1000);
            Assert.Equal(alone, together[i]);
            Assert.NotNull(alone.Top5);
            Assert.True(alone.Top5 >= alone.Top1);
        }
    }

    [Fact]
    public void ChunkedEvaluationAgreesWithDirectScores()
    {
        using var bank = TinyData.Gaussian(200, 8, 4, seed: 3);
        using var queries = TinyData.Gaussian(50, 8, 4, seed: 4);
        using var scope = torch.NewDisposeScope();
        var o = new KnnOptions(K: 10);
        var predicted = Knn.ClassScores(bank.Features, bank.Labels, queries.Features, 4, o).argmax(1);
        var direct = predicted.eq(queries.Labels).sum().item<long>() / 50.0;
        Assert.Equal(direct, Knn.Evaluate(bank, queries, o, chunkSize: 7).Top1, 12);
    }

    [Fact]
    public void BadInputsAreRejectedWithClearMessages()
    {
        using var bank = Bank();
        using var queries = Queries();
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => Knn.Evaluate(bank, queries, new KnnOptions(K: 7)));
        Assert.Contains("k = 7", tooMany.Message);
        Assert.Contains("the bank has 6", tooMany.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Knn.Evaluate(bank, queries, new KnnOptions(K: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Knn.Evaluate(bank, queries, new KnnOptions(3, Temperature: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Knn.Evaluate(bank, queries, new KnnOptions(3), chunkSize: 0));
        using var wide = TinyData.Gaussian(6, 3, 2, seed: 0);
        var dims = Assert.Throws<ArgumentException>(() => Knn.Evaluate(wide, queries, new KnnOptions(3)));
        Assert.Contains("3 features", dims.Message);
    }

    [Fact]
    public void BankRejectsLabelsOutsideTheClassRange()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => new FeatureBank(torch.zeros(2, 3), torch.tensor(new long[] { 0, 5 }, 2), 3, "bad"));
        Assert.Contains("[0, 2]", e.Message);
    }
}
