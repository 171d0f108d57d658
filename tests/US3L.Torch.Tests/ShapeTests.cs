using static US3L.Torch.Tests.TensorAssert;

namespace US3L.Torch.Tests;

public class ShapeTests
{
    private static Tensor Range(params long[] shape) => torch.arange(0, shape.Aggregate(1L, (a, b) => a * b), 1, torch.float64).view(shape);

    [Fact]
    public void FlattenUnflattenSqueezeUnsqueeze()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range(2, 3, 4);
        Assert.Equal(new long[] { 24 }, x.flatten().shape);
        Assert.Equal(new long[] { 2, 12 }, x.flatten(1).shape);
        Assert.Equal(new long[] { 6, 4 }, torch.flatten(x, 0, -2).shape);
        Assert.Equal(new long[] { 2, 3, 2, 2 }, x.unflatten(-1, 2, -1).shape);
        var y = Range(1, 3, 1);
        Assert.Equal(new long[] { 3 }, y.squeeze().shape);
        Assert.Equal(new long[] { 3, 1 }, y.squeeze(0).shape);
        Assert.Equal(new long[] { 1, 3, 1 }, y.squeeze(1).shape);
        Assert.Equal(new long[] { 1, 3, 1, 1 }, y.unsqueeze(-1).shape);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, torch.unsqueeze(x, 1).shape);
    }

    [Fact]
    public void PermuteTransposeAndMatrixTranspose()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range(2, 3);
        Close(new double[] { 0, 3, 1, 4, 2, 5 }, x.t(), new long[] { 3, 2 });
        Close(new double[] { 0, 3, 1, 4, 2, 5 }, x.transpose(0, 1));
        Assert.Equal(new long[] { 4, 2, 3 }, Range(2, 3, 4).permute(2, 0, 1).shape);
        Assert.Equal(new long[] { 2, 4, 3 }, Range(2, 3, 4).mT.shape);
        Assert.Equal(new long[] { 3, 2 }, torch.transpose(x, -1, -2).shape);
    }

    [Fact]
    public void ExpandAndBroadcastShareStorage()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range(3, 1);
        var e = x.expand(-1, 4);
        Close(new double[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }, e, new long[] { 3, 4 });
        Assert.Equal(new long[] { 1, 0 }, e.stride());
        Assert.Equal(new long[] { 2, 3, 4 }, x.broadcast_to(2, 3, 4).shape);
        Assert.Equal(new long[] { 3, 5 }, x.expand_as(Range(3, 5)).shape);
    }

    [Fact]
    public void FlipRollRepeatAndRepeatInterleave()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range(2, 3);
        Close(new double[] { 2, 1, 0, 5, 4, 3 }, x.flip(1));
        Close(new double[] { 5, 4, 3, 2, 1, 0 }, x.flip(0, 1));
        // PyTorch: roll(1, 1) -> [[2, 0, 1], [5, 3, 4]]; roll(1) rolls the flattened tensor.
        Close(new double[] { 2, 0, 1, 5, 3, 4 }, x.roll(1, 1));
        Close(new double[] { 5, 0, 1, 2, 3, 4 }, x.roll(1), new long[] { 2, 3 });
        Close(new double[] { 4, 5, 3, 1, 2, 0 }, x.roll(new long[] { 1, -1 }, new long[] { 0, 1 }));
        Close(new double[] { 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5 }, x.repeat(1, 2), new long[] { 2, 6 });
        Assert.Equal(new long[] { 2, 4, 3 }, x.repeat(2, 2, 1).shape);
        Close(new double[] { 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5 }, x.repeat_interleave(2, 0), new long[] { 4, 3 });
        Close(new double[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 }, x.repeat_interleave(2), new long[] { 12 });
    }

    [Fact]
    public void SplitChunkAndUnbind()
    {
        using var scope = torch.NewDisposeScope();
        var v = torch.arange(5);
        var parts = v.split(2);
        Assert.Equal(3, parts.Length);
        Equal(new long[] { 4 }, parts[2]);
        var sized = torch.split(v, new long[] { 1, 4 });
        Assert.Equal(new long[] { 4 }, sized[1].shape);
        // PyTorch: 6 elements in 4 chunks gives 3 chunks of 2.
        var chunks = torch.arange(6).chunk(4);
        Assert.Equal(3, chunks.Length);
        Equal(new long[] { 2, 3 }, chunks[1]);
        var rows = Range(3, 2).unbind();
        Assert.Equal(3, rows.Length);
        Close(new double[] { 4, 5 }, rows[2], new long[] { 2 });
        var cols = Range(3, 2).unbind(-1);
        Close(new double[] { 1, 3, 5 }, cols[1]);
        Assert.Single(torch.zeros(0).split(2));
    }

    [Fact]
    public void MultiResultOpsBelongToTheEnclosingScope()
    {
        using var outer = torch.NewDisposeScope();
        var x = torch.ones(4, 2);
        Tensor[] pieces;
        (Tensor values, Tensor indices) max;
        (Tensor U, Tensor S, Tensor Vh) svd;
        using (torch.NewDisposeScope())
        {
            pieces = x.split(1).Concat(x.chunk(2)).Concat(x.unbind(1)).ToArray();
            max = x.max(0);
            svd = torch.linalg.svd(x);
        }
        Assert.All(pieces, p => Assert.True(p.IsDisposed));
        Assert.True(max.values.IsDisposed && max.indices.IsDisposed);
        Assert.True(svd.U.IsDisposed && svd.S.IsDisposed && svd.Vh.IsDisposed);
        Assert.False(x.IsDisposed);
    }

    [Fact]
    public void CatAndStackJoinAlongDims()
    {
        using var scope = torch.NewDisposeScope();
        var a = Range(2, 2);
        Assert.Equal(new long[] { 4, 2 }, torch.cat(new[] { a, a }).shape);
        Assert.Equal(new long[] { 2, 4 }, torch.cat(new[] { a, a }, -1).shape);
        Assert.Equal(new long[] { 2, 2, 3 }, torch.stack(new[] { a, a, a }, 2).shape);
        var pieces = a.chunk(2, 1);
        Close(a.ToArray<double>(), torch.cat(pieces, 1));
    }

    [Fact]
    public void GradientsOfViewsAndRearrangements()
    {
        GradCheck.Check(x => x[0].reshape(6, 2).t().flatten(), new[] { Randn(1, 3, 4) });
        GradCheck.Check(x => x[0].view(2, 6).unflatten(1, 3, 2).permute(2, 0, 1), new[] { Randn(2, 3, 4) });
        GradCheck.Check(x => x[0].unsqueeze(0).squeeze(0).narrow(1, 1, 2).transpose(0, 1), new[] { Randn(3, 3, 4) });
        GradCheck.Check(x => x[0].expand(2, 3, 4) * x[1], new[] { Randn(4, 3, 1), Randn(5, 2, 3, 4) });
        GradCheck.Check(x => x[0].broadcast_to(3, 4).mT, new[] { Randn(6, 4) });
    }

    [Fact]
    public void GradientsOfCopiesAndJoins()
    {
        GradCheck.Check(x => x[0].flip(0, 1).roll(1, 1), new[] { Randn(7, 3, 4) });
        GradCheck.Check(x => x[0].repeat(2, 1).repeat_interleave(2, 1), new[] { Randn(8, 2, 3) });
        GradCheck.Check(x => torch.cat(new[] { x[0], x[1] }, 1), new[] { Randn(9, 2, 2), Randn(10, 2, 3) });
        GradCheck.Check(x => torch.stack(new[] { x[0], x[1] }, -1), new[] { Randn(11, 2, 3), Randn(12, 2, 3) });
        GradCheck.Check(x =>
        {
            var p = x[0].split(new long[] { 1, 3 }, 1);
            var c = x[0].chunk(2);
            var u = x[0].unbind(1);
            return p[1].sum(1) * 2 + c[1].sum() + u[0].sum();
        }, new[] { Randn(13, 4, 4) });
    }

    [Fact]
    public void BadArgumentsNameTheOpAndShape()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 3);
        Assert.Contains("split: dim 2 is out of range for a tensor of shape [2, 3]", Assert.Throws<ArgumentOutOfRangeException>(() => x.split(1, 2)).Message);
        Assert.Contains("split_size must be positive", Assert.Throws<ArgumentException>(() => x.split(0)).Message);
        Assert.Contains("chunks must be positive", Assert.Throws<ArgumentException>(() => x.chunk(0)).Message);
        Assert.Contains("split([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.split(new long[] { 1, 1 }, 1)).Message);
        Assert.Contains("permute([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.permute(0)).Message);
        Assert.Contains("expand([2, 3] float32 cpu)", Assert.Throws<TorchException>(() => x.expand(4, 3)).Message);
        Assert.Contains("mT needs a matrix or a batch of matrices, got shape [3]", Assert.Throws<InvalidOperationException>(() => torch.ones(3).mT).Message);
    }
}
