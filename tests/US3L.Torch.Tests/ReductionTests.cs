using static US3L.Torch.Tests.TensorAssert;

namespace US3L.Torch.Tests;

public class ReductionTests
{
    // [[1, 2, 3], [4, 5, 6]]
    private static Tensor M() => D(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);

    [Fact]
    public void SumAndMeanOverDimsWithKeepdim()
    {
        using var scope = torch.NewDisposeScope();
        Close(new double[] { 6, 15 }, M().sum(1), new long[] { 2 });
        Close(new double[] { 5, 7, 9 }, M().sum(0, keepdim: true), new long[] { 1, 3 });
        Close(new double[] { 21 }, M().sum(new long[] { 0, -1 }), Array.Empty<long>());
        Close(new double[] { 2, 5 }, M().mean(-1, keepdim: true), new long[] { 2, 1 });
        Close(new double[] { 3.5 }, torch.mean(M()), Array.Empty<long>());
        Assert.Equal(ScalarType.Int64, torch.arange(4).sum().dtype);
    }

    [Fact]
    public void VarAndStdHonourUnbiasedAndCorrection()
    {
        using var scope = torch.NewDisposeScope();
        // Values from PyTorch 1.13: var over all of M is 3.5 (N-1), 2.9167 (N), 4.375 (N-2).
        Close(new double[] { 3.5 }, M().var());
        Close(new double[] { 35.0 / 12 }, M().var(unbiased: false));
        Close(new double[] { 4.375 }, M().var(correction: 2));
        Close(new double[] { 2.0 / 3, 2.0 / 3 }, M().var(1, correction: 0), new long[] { 2 });
        Close(new double[] { 1.8708287 }, M().std());
        Close(new double[] { 1, 1 }, torch.std(M(), 1, keepdim: true), new long[] { 2, 1 });
    }

    [Fact]
    public void ProdLogsumexpAndCumsum()
    {
        using var scope = torch.NewDisposeScope();
        Close(new double[] { 720 }, M().prod());
        Close(new double[] { 6, 120 }, M().prod(1), new long[] { 2 });
        Close(new double[] { 4, 10, 18 }, M().prod(0, keepdim: true), new long[] { 1, 3 });
        Close(new double[] { 3.4076059, 6.4076059 }, M().logsumexp(1));
        // Large inputs must not overflow: log(e^1000 + e^1000) = 1000 + log 2.
        Close(new double[] { 1000 + Math.Log(2) }, D(new double[] { 1000, 1000 }, 2).logsumexp(0));
        Close(new double[] { 1, 3, 6, 4, 9, 15 }, M().cumsum(1), new long[] { 2, 3 });
        Close(new double[] { 1, 2, 3, 5, 7, 9 }, M().cumsum(-2));
    }

    [Fact]
    public void MaxAndMinAlongADimReturnValuesAndIndices()
    {
        using var scope = torch.NewDisposeScope();
        var x = D(new double[] { 1, 5, 2, 7, 0, 3 }, 2, 3);
        var (values, indices) = x.max(1);
        Close(new double[] { 5, 7 }, values, new long[] { 2 });
        Equal(new long[] { 1, 0 }, indices);
        Assert.Equal(ScalarType.Int64, indices.dtype);
        var min = torch.min(x, -2, keepdim: true);
        Close(new double[] { 1, 0, 2 }, min.values, new long[] { 1, 3 });
        Equal(new long[] { 0, 1, 0 }, min.indices);
        Close(new double[] { 7 }, x.max());
        Close(new double[] { 0 }, x.min());
    }

    [Fact]
    public void AmaxAminArgmaxArgmin()
    {
        using var scope = torch.NewDisposeScope();
        var x = D(new double[] { 1, 5, 2, 7, 0, 3 }, 2, 3);
        Close(new double[] { 7, 5, 3 }, x.amax(0));
        Close(new double[] { 7 }, x.amax(), Array.Empty<long>());
        Close(new double[] { 0 }, x.amin(new long[] { 0, 1 }));
        Close(new double[] { 1, 0 }, x.amin(1, keepdim: true), new long[] { 2, 1 });
        Equal(new long[] { 3 }, x.argmax(), Array.Empty<long>());
        Equal(new long[] { 4 }, torch.argmin(x));
        Equal(new long[] { 1, 0 }, x.argmax(1));
        Equal(new long[] { 0, 1, 0 }, x.argmin(0, keepdim: true), new long[] { 1, 3 });
    }

    [Fact]
    public void TopkSortAndArgsort()
    {
        using var scope = torch.NewDisposeScope();
        var x = D(new double[] { 3, 1, 4, 1, 5, 9, 2, 6 }, 8);
        var top = x.topk(3);
        Close(new double[] { 9, 6, 5 }, top.values);
        Equal(new long[] { 5, 7, 4 }, top.indices);
        Close(new double[] { 1, 1, 2 }, x.topk(3, largest: false).values);

        var sorted = x.sort(descending: true);
        Close(new double[] { 9, 6, 5, 4, 3, 2, 1, 1 }, sorted.values);
        Equal(new long[] { 5, 7, 4, 2, 0, 6 }, sorted.indices.narrow(0, 0, 6));

        // A stable sort keeps ties in input order (PyTorch: indices [1, 3, 0, 2]).
        var ties = torch.tensor(new long[] { 2, 1, 2, 1 });
        Equal(new long[] { 1, 3, 0, 2 }, ties.sort(stable: true).indices);
        Equal(new long[] { 1, 3, 0, 2 }, ties.argsort(stable: true));

        var m = D(new double[] { 3, 1, 2, 0, 5, 4 }, 2, 3);
        Equal(new long[] { 1, 2, 0, 0, 2, 1 }, m.argsort(1), new long[] { 2, 3 });
        Close(new double[] { 0, 1, 2, 3, 5, 4 }, m.sort(0).values);
    }

    [Fact]
    public void NormsOverAllElementsAndOverDims()
    {
        using var scope = torch.NewDisposeScope();
        var v = D(new double[] { 3, -4 }, 2);
        Close(new double[] { 5 }, v.norm());
        Close(new double[] { 7 }, v.norm(1));
        Close(new double[] { 4 }, v.norm(double.PositiveInfinity));
        var m = D(new double[] { 3, 4, 6, 8 }, 2, 2);
        Close(new double[] { 5, 10 }, m.norm(2, 1), new long[] { 2 });
        Close(new double[] { Math.Sqrt(125) }, torch.norm(m));
        Close(new double[] { 5, 10 }, torch.linalg.vector_norm(m, 2, new long[] { -1 }, keepdim: true), new long[] { 2, 1 });
    }

    [Fact]
    public void AllAnyAndCountNonzero()
    {
        using var scope = torch.NewDisposeScope();
        var x = D(new double[] { 1, 0, 2, 3, 4, 5 }, 2, 3);
        Assert.False(x.all().item<bool>());
        Assert.True(x.any().item<bool>());
        Assert.Equal(ScalarType.Bool, x.all().dtype);
        Equal(new long[] { 0, 1 }, x.all(1));
        Equal(new long[] { 1, 1, 1 }, (x > torch.zeros_like(x)).any(0));
        Equal(new long[] { 5 }, x.count_nonzero());
        Equal(new long[] { 2, 3 }, x.count_nonzero(1));
        Equal(new long[] { 2, 1, 2 }, x.count_nonzero(new long[] { 0 }));
    }

    [Fact]
    public void GradientsOfSumMeanVarStdProd()
    {
        GradCheck.Check(x => x[0].sum(1) + x[0].mean(-1), new[] { Randn(1, 3, 4) });
        GradCheck.Check(x => x[0].sum(new long[] { 0, 2 }, keepdim: true), new[] { Randn(2, 2, 3, 2) });
        GradCheck.Check(x => x[0].var(1) + x[0].std(1, correction: 0), new[] { Randn(3, 3, 5) });
        GradCheck.Check(x => x[0].std(), new[] { Randn(4, 6) });
        GradCheck.Check(x => x[0].prod(1), new[] { Randn(5, 3, 4) });
        GradCheck.Check(x => x[0].prod(), new[] { Randn(6, 5) });
    }

    [Fact]
    public void GradientsOfExtremesAndSorting()
    {
        GradCheck.Check(x => x[0].max(1).values + x[0].min(1).values, new[] { Randn(7, 3, 5) });
        GradCheck.Check(x => x[0].amax(new long[] { 0, 1 }) - x[0].amin(0).sum(), new[] { Randn(8, 4, 3) });
        GradCheck.Check(x => x[0].topk(2, dim: 0).values, new[] { Randn(9, 5, 3) });
        GradCheck.Check(x => x[0].sort(-1, descending: true).values, new[] { Randn(10, 2, 6) });
    }

    [Fact]
    public void GradientsOfNormLogsumexpCumsum()
    {
        GradCheck.Check(x => x[0].norm() + x[0].norm(1, 1).sum(), new[] { Randn(11, 3, 4) });
        GradCheck.Check(x => x[0].norm(double.PositiveInfinity, 0), new[] { Randn(12, 4, 2) });
        GradCheck.Check(x => x[0].logsumexp(new long[] { 0, 1 }) + x[0].logsumexp(1).sum(), new[] { Randn(13, 3, 4) });
        GradCheck.Check(x => x[0].cumsum(1), new[] { Randn(14, 3, 4) });
    }

    [Fact]
    public void BadDimNamesTheOpAndShape()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 3);
        Assert.Contains("sum([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.sum(5)).Message);
        Assert.Contains("max([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.max(-3)).Message);
        Assert.Contains("topk([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.topk(4)).Message);
        Assert.Contains("expected at least one dim", Assert.Throws<ArgumentException>(() => x.logsumexp(Array.Empty<long>())).Message);
    }
}
