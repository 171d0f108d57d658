using static US3L.Torch.Tests.TensorAssert;

namespace US3L.Torch.Tests;

public class IndexingTests
{
    // [[0, 1, 2], [3, 4, 5]]
    private static Tensor M() => torch.arange(0, 6, 1, torch.float64).view(2, 3);
    private static Tensor Idx(params long[] values) => torch.tensor(values);

    [Fact]
    public void IndexerSelectAndSlice()
    {
        using var scope = torch.NewDisposeScope();
        var x = M();
        Close(new double[] { 3, 4, 5 }, x[1], new long[] { 3 });
        Close(new double[] { 3, 4, 5 }, x[-1]);
        Close(new double[] { 5 }, x[1][2], Array.Empty<long>());
        Close(new double[] { 1, 4 }, x.select(1, 1), new long[] { 2 });
        Close(new double[] { 0, 2, 3, 5 }, x.slice(1, 0, long.MaxValue, 2), new long[] { 2, 2 });
        Close(new double[] { 1, 2, 4, 5 }, x.slice(-1, 1));
        Close(new double[] { 1, 4 }, x.slice(1, -2, -1));
        // A view: writing through it changes the source.
        x[0].fill_(7);
        Close(new double[] { 7, 7, 7, 3, 4, 5 }, x);
    }

    [Fact]
    public void IndexSelectGatherScatter()
    {
        using var scope = torch.NewDisposeScope();
        var x = M();
        Close(new double[] { 2, 0, 5, 3 }, x.index_select(1, Idx(2, 0)), new long[] { 2, 2 });
        Close(new double[] { 3, 4, 5, 3, 4, 5 }, torch.index_select(x, 0, Idx(1, 1)));
        // gather dim 1: out[i][j] = x[i][index[i][j]]
        Close(new double[] { 2, 0, 4, 4 }, x.gather(1, Idx(2, 0, 1, 1).view(2, 2)), new long[] { 2, 2 });
        var src = torch.tensor(new double[] { 1, 2, 3, 4 });
        // PyTorch: zeros(3).scatter_add(0, [0, 2, 0, 1], [1, 2, 3, 4]) = [4, 4, 2].
        Close(new double[] { 4, 4, 2 }, torch.zeros(new long[] { 3 }, torch.float64).scatter_add(0, Idx(0, 2, 0, 1), src));
        Close(new double[] { 0, 2, 1 }, torch.zeros(new long[] { 3 }, torch.float64).scatter(0, Idx(2, 1), src.narrow(0, 0, 2)));
        var rows = torch.zeros(new long[] { 2, 3 }, torch.float64).scatter(1, Idx(2, 0).view(2, 1), torch.ones(new long[] { 2, 1 }, torch.float64));
        Close(new double[] { 0, 0, 1, 1, 0, 0 }, rows);
    }

    [Fact]
    public void MasksAndNonzero()
    {
        using var scope = torch.NewDisposeScope();
        var x = M();
        var mask = x > torch.full_like(x, 2.5);
        Close(new double[] { 0, 1, 2, -1, -1, -1 }, x.masked_fill(mask, -1));
        Close(new double[] { 0, 1, 2, 9, 9, 9 }, x.masked_fill(mask, torch.scalar_tensor(9, torch.float64)));
        Close(new double[] { 3, 4, 5 }, x.masked_select(mask), new long[] { 3 });
        // The mask broadcasts: one row mask applies to every row.
        var column = torch.tensor(new[] { true, false, true });
        Close(new double[] { 0, 2, 3, 5 }, x.masked_select(column));
        Equal(new long[] { 0, 0, 0, 2, 1, 1 }, torch.tensor(new long[] { 1, 0, 2, 0, 3, 0 }, 2, 3).nonzero(), new long[] { 3, 2 });
    }

    [Fact]
    public void TrianglesAndDiagonals()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(0, 9, 1, torch.float64).view(3, 3);
        Close(new double[] { 0, 0, 0, 3, 4, 0, 6, 7, 8 }, x.tril());
        Close(new double[] { 0, 1, 2, 0, 0, 5, 0, 0, 0 }, x.triu(1));
        Close(new double[] { 0, 0, 0, 3, 0, 0, 6, 7, 0 }, torch.tril(x, -1));
        Close(new double[] { 0, 4, 8 }, x.diag(), new long[] { 3 });
        Close(new double[] { 1, 5 }, x.diagonal(1));
        Close(new double[] { 1, 0, 0, 2 }, torch.tensor(new double[] { 1, 2 }).diag(), new long[] { 2, 2 });
        Assert.Equal(new long[] { 2, 3 }, torch.zeros(2, 3, 4).diagonal(0, -2, -1).shape);
    }

    [Fact]
    public void GradientsOfSelectionOps()
    {
        GradCheck.Check(x => x[0][1] + x[0].select(1, -1).sum() + x[0].slice(1, 0, 5, 2).sum(), new[] { Randn(1, 3, 4) });
        GradCheck.Check(x => x[0].index_select(0, Idx(2, 0, 2)), new[] { Randn(2, 3, 2) });
        GradCheck.Check(x => x[0].gather(1, Idx(0, 0, 2, 1, 2, 0).view(2, 3)), new[] { Randn(3, 2, 3) });
        GradCheck.Check(x => x[0].scatter_add(0, Idx(1, 0, 1).view(3, 1).expand(3, 2), x[1]), new[] { Randn(4, 2, 2), Randn(5, 3, 2) });
        GradCheck.Check(x => x[0].scatter(1, Idx(2, 0).view(2, 1), x[1]), new[] { Randn(6, 2, 3), Randn(7, 2, 1) });
    }

    [Fact]
    public void GradientsOfMaskAndTriangleOps()
    {
        var mask = torch.tensor(new[] { true, false, false, true, true, false }, 2, 3);
        GradCheck.Check(x => x[0].masked_fill(mask, 0.5) * 2, new[] { Randn(8, 2, 3) });
        GradCheck.Check(x => x[0].masked_fill(mask, x[1]), new[] { Randn(9, 2, 3), Randn(10) });
        GradCheck.Check(x => x[0].masked_select(mask), new[] { Randn(11, 2, 3) });
        GradCheck.Check(x => x[0].tril() + x[0].triu(1) * 3 + x[0].diag().diag(), new[] { Randn(12, 3, 3) });
        GradCheck.Check(x => x[0].diagonal(0, 1, 2), new[] { Randn(13, 2, 3, 3) });
    }

    [Fact]
    public void BadIndicesNameTheOpAndShape()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 3);
        Assert.Contains("select([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x[2]).Message);
        Assert.Contains("index_select([2, 3] float32 cpu, [1] int64 cpu)", Assert.Throws<TorchException>(() => x.index_select(1, Idx(3))).Message);
        Assert.Contains("gather([2, 3] float32 cpu", Assert.Throws<TorchException>(() => x.gather(3, Idx(0))).Message);
        Assert.Contains("masked_fill([2, 3] float32 cpu, [4] bool cpu)",
            Assert.Throws<TorchException>(() => x.masked_fill(torch.ones(new long[] { 4 }, torch.@bool), 0)).Message);
        Assert.Contains("slice([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.slice(1, 0, 3, 0)).Message);
    }
}
