using US3L.Losses;

namespace US3L.Tests.Losses;

/// <summary>
/// The feature-distillation criterion (science.md 3.7; the reference's MSELoss.py given feature
/// dicts) against a plain double computation: the mean of the per-layer element-wise MSEs over the
/// cross-view pairs, teacher detached.
/// </summary>
public class FeatureMseTests
{
    private static readonly long[][] Shapes = { new long[] { 3, 4, 5, 5 }, new long[] { 3, 8, 2, 3 } };

    /// <summary>[view][layer] maps of <see cref="Shapes"/>, from <paramref name="seed"/>.</summary>
    private static Tensor[][] Maps(long seed, bool requiresGrad)
    {
        using var g = new Generator(seed);
        return Enumerable.Range(0, 2).Select(_ => Shapes.Select(s =>
        {
            var t = torch.randn(s, torch.float64, generator: g);
            return requiresGrad ? t.requires_grad_() : t;
        }).ToArray()).ToArray();
    }

    private static double Mse(Tensor a, Tensor b) => a.ToArray<double>().Zip(b.ToArray<double>(), (x, y) => (x - y) * (x - y)).Average();

    [Fact]
    public void ItIsTheMeanOfTheLayerMsesOverTheCrossViewPairs()
    {
        var student = Maps(1, requiresGrad: false);
        var teacher = Maps(2, requiresGrad: false);
        using var loss = FeatureMse.CrossView(student, teacher);
        // Teacher view 1 against student view 2, then teacher view 2 against student view 1; no same-view pair.
        var expected = Enumerable.Range(0, Shapes.Length).Sum(l => Mse(student[1][l], teacher[0][l]) + Mse(student[0][l], teacher[1][l]))
            / (2.0 * Shapes.Length);
        Assert.Equal(expected, loss.item<double>(), 12);
        var sameView = Enumerable.Range(0, Shapes.Length).Sum(l => Mse(student[0][l], teacher[0][l]) + Mse(student[1][l], teacher[1][l]))
            / (2.0 * Shapes.Length);
        Assert.True(Math.Abs(sameView - expected) > 1e-3, "the inputs must tell cross-view from same-view pairs apart");
    }

    [Fact]
    public void OnlyTheStudentGetsAGradientAndItIsTheMseGradient()
    {
        var student = Maps(3, requiresGrad: true);
        var teacher = Maps(4, requiresGrad: true);
        using (var loss = FeatureMse.CrossView(student, teacher)) loss.backward();
        Assert.All(teacher.SelectMany(v => v), t => Assert.Null(t.grad));
        // d/ds of (1/2L)·mean((s − t)²) over N elements is (s − t)·2 / (N·2L), t being the other view's map.
        for (var v = 0; v < 2; v++)
            for (var l = 0; l < Shapes.Length; l++)
            {
                var s = student[v][l];
                var n = s.numel();
                var expected = s.ToArray<double>().Zip(teacher[1 - v][l].ToArray<double>(), (x, y) => 2 * (x - y) / (n * 2.0 * Shapes.Length));
                Assert.Equal(expected.ToArray(), s.grad!.ToArray<double>(), (a, b) => Math.Abs(a - b) < 1e-12);
            }
    }

    [Fact]
    public void MismatchedMapsAreRefusedWithTheirShapes()
    {
        var student = Maps(5, requiresGrad: false);
        var teacher = Maps(6, requiresGrad: false);
        teacher[0][1] = torch.zeros(new long[] { 3, 8, 2, 2 }, torch.float64);
        var e = Assert.Throws<ArgumentException>(() => FeatureMse.CrossView(student, teacher));
        Assert.Contains("layer 1 has student shape [3, 8, 2, 3] and teacher shape [3, 8, 2, 2]", e.Message);
    }
}
