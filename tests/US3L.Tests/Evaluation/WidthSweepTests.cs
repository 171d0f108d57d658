using US3L.Evaluation;
using US3L.Torch.nn;

namespace US3L.Tests.Evaluation;

public class WidthSweepTests
{
    /// <summary>
    /// A stand-in for a slimmable backbone: Linear(16 → 8) whose output keeps only the first F(w) =
    /// round(8w) features at the width set by <see cref="SetWidth"/> (the rest are zero).
    /// </summary>
    private sealed class ToyBackbone : IDisposable
    {
        public readonly Linear Layer;
        public double Width = 1;
        public readonly List<double> Prepared = new();
        public readonly List<double> ExtractedAt = new();

        public ToyBackbone()
        {
            using var g = new Generator(0);
            Layer = new Linear(16, 8, generator: g);
        }

        public static int Features(double w) => (int)Math.Round(8 * w);
        public void SetWidth(double w) { Width = w; Prepared.Add(w); }

        public Tensor Extract(Tensor images)
        {
            if (ExtractedAt.Count == 0 || ExtractedAt[^1] != Width) ExtractedAt.Add(Width);
            var f = Layer.forward(FeatureBank.Pixels(images));
            var mask = torch.zeros(8);
            mask.narrow(0, 0, Features(Width)).fill_(1);
            return f.mul(mask);
        }

        public void Dispose() => Layer.Dispose();
    }

    private static readonly EvalProtocol Protocol = new("tiny", BnCalibrated: true, Seed: 42, Profile: "smoke");

    [Fact]
    public void EachWidthIsPreparedThenMeasuredAndCarriesItsProtocol()
    {
        using var backbone = new ToyBackbone();
        var train = new DataLoader(TinyData.Images(60, seed: 1), 16, shuffle: false);
        var test = new DataLoader(TinyData.Images(30, seed: 2), 16, shuffle: false);
        var options = new WidthSweepOptions(Protocol)
        {
            Knn = new[] { new KnnOptions(20, 0.1), new KnnOptions(5, 0.1) },
            Linear = new LinearProbeOptions(Epochs: 5, BatchSize: 16),
            Macs = w => (long)(1000 * w * w),
            FeatureCount = ToyBackbone.Features,
            CollapseRows = 20,
        };
        var seen = new List<double>();
        var points = WidthSweep.Run(backbone.Extract, train, test, new[] { 1.0, 0.5, 0.25 }, options,
            prepare: backbone.SetWidth, model: backbone.Layer, progress: p => seen.Add(p.Width));

        Assert.Equal(new[] { 1.0, 0.5, 0.25 }, backbone.Prepared);
        Assert.Equal(new[] { 1.0, 0.5, 0.25 }, backbone.ExtractedAt);
        Assert.Equal(new[] { 1.0, 0.5, 0.25 }, seen);
        Assert.Equal(new[] { 8, 4, 2 }, points.Select(p => p.FeatureDim));
        Assert.True(backbone.Layer.training); // eval only while extracting
        foreach (var p in points)
        {
            Assert.Equal((long)(1000 * p.Width * p.Width), p.Macs);
            Assert.Equal(2, p.Knn.Count);
            Assert.Equal((20, p.FeatureDim), (p.Collapse!.Count, p.Collapse.Dim));
            Assert.NotNull(p.Linear);
            Assert.Equal(p.Knn[0].Top1, p.KnnTop1);
            Assert.Equal(p.Linear!.Top1, p.LinearTop1);
            // Brightness separates the classes, so even two random projections classify well.
            Assert.InRange(p.KnnTop1, 0.8, 1.0);
            foreach (var r in p.Results)
            {
                Assert.Equal(("tiny", true, 42L, "smoke"), (r.Dataset, r.BnCalibrated, r.Seed, r.Profile));
                Assert.Equal(p.Width, r.Width);
                Assert.Equal(p.Macs, r.Macs);
                Assert.Equal(p.FeatureDim, r.FeatureDim);
                Assert.Equal((60, 30), (r.TrainCount, r.TestCount));
            }
        }
        var knn = points[0].Knn;
        Assert.Equal(("knn", 20, 0.1), (knn[0].Method, knn[0].K, knn[0].Temperature));
        Assert.Equal(5, knn[1].K);
        var linear = points[0].Linear!;
        Assert.Equal(("linear", 5, 16, "cosine"), (linear.Method, linear.ProbeEpochs, linear.ProbeBatchSize, linear.ProbeSchedule));
        Assert.Null(linear.K);
        Assert.NotNull(linear.TrainTop1);
    }

    [Fact]
    public void KnnOnlySweepHasNoLinearResults()
    {
        var train = new DataLoader(TinyData.Images(30), 16, shuffle: false);
        var test = new DataLoader(TinyData.Images(9, seed: 3), 16, shuffle: false);
        var points = WidthSweep.Run(FeatureBank.Pixels, train, test, new[] { 1.0 },
            new WidthSweepOptions(Protocol) { Knn = new[] { new KnnOptions(K: 10) } });
        Assert.Null(points[0].Linear);
        Assert.Null(points[0].LinearTop1);
        Assert.Null(points[0].Macs);
        Assert.Null(points[0].Collapse);
        Assert.Single(points[0].Results);
    }

    [Fact]
    public void BadSweepsFailBeforeAnyWork()
    {
        var train = new DataLoader(TinyData.Images(30), 16);
        var test = new DataLoader(TinyData.Images(9, classes: 2), 16);
        var prepared = 0;
        Assert.Throws<ArgumentException>(() => WidthSweep.Run(FeatureBank.Pixels, train, test, new[] { 1.0 },
            new WidthSweepOptions(Protocol), _ => prepared++));
        var same = new DataLoader(TinyData.Images(9), 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthSweep.Run(FeatureBank.Pixels, train, same, new[] { 1.0, 0.0 },
            new WidthSweepOptions(Protocol), _ => prepared++));
        Assert.Throws<ArgumentException>(() => WidthSweep.Run(FeatureBank.Pixels, train, same, new[] { 1.0 },
            new WidthSweepOptions(Protocol with { Dataset = "" }), _ => prepared++));
        Assert.Equal(0, prepared);
    }
}
