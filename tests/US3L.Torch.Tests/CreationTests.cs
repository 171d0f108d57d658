using static US3L.Torch.Tests.TensorAssert;

namespace US3L.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void ConstantFactoriesHaveShapeDtypeAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.zeros(2, 3);
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(torch.get_default_dtype(), z.dtype);
        Close(new double[6], z);
        Close(new double[] { 1, 1, 1, 1 }, torch.ones(new long[] { 4 }, torch.float64), new long[] { 4 });
        Close(new double[] { 2.5, 2.5 }, torch.full(new long[] { 1, 2 }, 2.5), new long[] { 1, 2 });
        Assert.Equal(ScalarType.Int32, torch.zeros(new long[] { 3 }, torch.int32).dtype);
        Close(new double[] { 1, 0, 0, 0, 1, 0 }, torch.eye(2, 3), new long[] { 2, 3 });
        Close(new double[] { 1, 0, 0, 1 }, torch.eye(2));
        Assert.Equal(Array.Empty<long>(), torch.scalar_tensor(3).shape);
        Assert.Equal(0, torch.empty(0, 4).numel());
    }

    [Fact]
    public void RangesFollowPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var ints = torch.arange(4);
        Assert.Equal(ScalarType.Int64, ints.dtype);
        Equal(new long[] { 0, 1, 2, 3 }, ints);
        Equal(new long[] { 1, 4, 7 }, torch.arange(1, 10, 3));
        var frac = torch.arange(0, 1, 0.25);
        Assert.Equal(torch.get_default_dtype(), frac.dtype);
        Close(new double[] { 0, 0.25, 0.5, 0.75 }, frac);
        Close(new double[] { 5, 4, 3 }, torch.arange(5, 2, -1, torch.float64));
        Close(new double[] { 0, 0.25, 0.5, 0.75, 1 }, torch.linspace(0, 1, 5));
        Assert.Equal(0, torch.linspace(0, 1, 0).numel());
    }

    [Fact]
    public void LikeFactoriesCopyShapeAndDtype()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2, 5 }, torch.float64);
        foreach (var t in new[] { torch.zeros_like(x), torch.ones_like(x), torch.empty_like(x), torch.full_like(x, 7), torch.rand_like(x), torch.randn_like(x) })
        {
            Assert.Equal(new long[] { 2, 5 }, t.shape);
            Assert.Equal(ScalarType.Float64, t.dtype);
        }
        Close(Enumerable.Repeat(7.0, 10).ToArray(), torch.full_like(x, 7));
        Assert.Equal(ScalarType.Int64, torch.zeros_like(x, torch.int64).dtype);
    }

    [Fact]
    public void TensorsFromDotNetArrays()
    {
        using var scope = torch.NewDisposeScope();
        var f = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        Assert.Equal(new long[] { 3, 2 }, f.shape);
        Assert.Equal(ScalarType.Float32, f.dtype);
        Assert.Equal(ScalarType.Int64, torch.tensor(new long[] { 1, 2 }).dtype);
        Assert.Equal(ScalarType.Int32, torch.tensor(new[] { 1, 2 }).dtype);
        Assert.Equal(ScalarType.Bool, torch.tensor(new[] { true }).dtype);
        Assert.Equal(ScalarType.UInt8, torch.tensor(new byte[] { 1 }).dtype);
        Close(new double[] { 1, 2, 3, 4 }, torch.tensor(new double[,] { { 1, 2 }, { 3, 4 } }), new long[] { 2, 2 });
        Assert.True(torch.tensor(new ReadOnlySpan<double>(new double[] { 1 }), requires_grad: true).requires_grad);
        Assert.Contains("3 values cannot fill shape [2, 2]",
            Assert.Throws<ArgumentException>(() => torch.tensor(new float[] { 1, 2, 3 }, 2, 2)).Message);
    }

    [Fact]
    public void RandomFactoriesHaveTheirRanges()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        var u = torch.rand(new long[] { 1000 }, generator: g);
        Assert.True(u.min().item<float>() >= 0 && u.max().item<float>() < 1);
        var n = torch.randn(new long[] { 4000 }, torch.float64, generator: g);
        Assert.InRange(n.mean().item<double>(), -0.1, 0.1);
        Assert.InRange(n.std().item<double>(), 0.9, 1.1);
        var r = torch.randint(2, 5, new long[] { 500 }, generator: g);
        Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.True(r.min().item<long>() >= 2 && r.max().item<long>() <= 4);
        var p = torch.randperm(10, generator: g);
        Equal(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), p.sort().values);
        Assert.Contains("need low < high", Assert.Throws<ArgumentException>(() => torch.randint(3, 3, new long[] { 1 })).Message);
    }

    [Fact]
    public void GeneratorMatchesPyTorchForTheSameSeed()
    {
        using var scope = torch.NewDisposeScope();
        // PyTorch 1.13: g = torch.Generator().manual_seed(7); torch.randn(4, generator=g, dtype=torch.float64)
        using var g = new Generator(7);
        Close(new double[] { -0.1467950974849952, 0.7861412987235358, 0.9468216090039564, -1.1143440212610307 },
            torch.randn(new long[] { 4 }, torch.float64, generator: g), tol: 1e-12);
        // g.manual_seed(11); torch.randint(0, 100, (4,), generator=g); torch.randperm(5, generator=g)
        g.manual_seed(11);
        Equal(new long[] { 41, 79, 20, 27 }, torch.randint(100, new long[] { 4 }, generator: g));
        Equal(new long[] { 3, 4, 1, 0, 2 }, torch.randperm(5, generator: g));
    }

    [Fact]
    public void ManualSeedReplaysTheGlobalStream()
    {
        using var scope = torch.NewDisposeScope();
        var saved = torch.get_rng_state();
        try
        {
            torch.manual_seed(3);
            var a = torch.rand(3).ToArray<float>();
            var ai = torch.randint(10, new long[] { 5 }).ToArray<long>();
            torch.manual_seed(3);
            Assert.Equal(a, torch.rand(3).ToArray<float>());
            Assert.Equal(ai, torch.randint(10, new long[] { 5 }).ToArray<long>());
            // PyTorch 1.13: torch.manual_seed(3); torch.rand(3)
            Close(new double[] { 0.004263520240783691, 0.10556936264038086, 0.2858424782752991 }, torch.tensor(a), tol: 1e-7);
        }
        finally
        {
            torch.set_rng_state(saved);
        }
    }

    [Fact]
    public void GeneratorStateReplaysTheSameNumbers()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(42);
        Assert.Equal(42, g.initial_seed());
        torch.randn(new long[] { 10 }, generator: g);
        var state = g.get_state();
        var first = torch.randn(new long[] { 6 }, generator: g).ToArray<float>();
        var firstPerm = torch.randperm(8, generator: g).ToArray<long>();
        g.set_state(state);
        Assert.Equal(first, torch.randn(new long[] { 6 }, generator: g).ToArray<float>());
        Assert.Equal(firstPerm, torch.randperm(8, generator: g).ToArray<long>());

        // Another generator with the same seed gives the same stream; a different seed does not.
        using var same = new Generator(42);
        using var other = new Generator(43);
        var x = torch.rand(new long[] { 5 }, generator: same).ToArray<float>();
        using var again = new Generator(42);
        Assert.Equal(x, torch.rand(new long[] { 5 }, generator: again).ToArray<float>());
        Assert.NotEqual(x, torch.rand(new long[] { 5 }, generator: other).ToArray<float>());
    }

    [Fact]
    public void BadShapesAreRejectedWithTheShape()
    {
        Assert.Contains("Sizes must be non-negative, got [2, -1]", Assert.Throws<ArgumentException>(() => torch.zeros(2, -1)).Message);
        Assert.Contains("step must be non-zero", Assert.Throws<ArgumentException>(() => torch.arange(0, 1, 0)).Message);
        Assert.Contains("n must be non-negative", Assert.Throws<ArgumentException>(() => torch.randperm(-1)).Message);
    }
}
