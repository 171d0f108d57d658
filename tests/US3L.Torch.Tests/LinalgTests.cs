using static US3L.Torch.Tests.TensorAssert;

namespace US3L.Torch.Tests;

public class LinalgTests
{
    private static Tensor Range(params long[] shape) => torch.arange(0, shape.Aggregate(1L, (a, b) => a * b), 1, torch.float64).view(shape);

    [Fact]
    public void MatrixProductsByHand()
    {
        using var scope = torch.NewDisposeScope();
        var a = Range(2, 3);
        var b = Range(3, 4);
        // PyTorch: arange(6).view(2,3) @ arange(12).view(3,4)
        var expected = new double[] { 20, 23, 26, 29, 56, 68, 80, 92 };
        Close(expected, a.mm(b), new long[] { 2, 4 });
        Close(expected, torch.matmul(a, b));
        Close(expected, torch.einsum("ij,jk->ik", a, b));
        Close(new double[] { 5, 14 }, a.matmul(torch.tensor(new double[] { 0, 1, 2 })), new long[] { 2 });
        Close(new double[] { 5 }, torch.dot(torch.tensor(new double[] { 1, 2 }), torch.tensor(new double[] { 3, 1 })), Array.Empty<long>());
        Close(new double[] { 3, 1, 6, 2 }, torch.tensor(new double[] { 1, 2 }).outer(torch.tensor(new double[] { 3, 1 })), new long[] { 2, 2 });
    }

    [Fact]
    public void BatchedProductsAndBroadcasting()
    {
        using var scope = torch.NewDisposeScope();
        var a = Range(2, 2, 3);
        var b = Range(2, 3, 2);
        var batched = a.bmm(b);
        Assert.Equal(new long[] { 2, 2, 2 }, batched.shape);
        Close(a[1].mm(b[1]).ToArray<double>(), batched[1]);
        Close(batched.ToArray<double>(), torch.einsum("bij,bjk->bik", a, b));
        // matmul broadcasts a single matrix over the batch.
        Assert.Equal(new long[] { 2, 2, 5 }, a.matmul(Range(3, 5)).shape);
        Assert.Equal(new long[] { 4, 2, 2, 2 }, Range(4, 1, 2, 3).matmul(b).shape);
        Close(new double[] { 12 }, torch.einsum("ii->", Range(3, 3)));
        Close(new double[] { 0, 4, 8 }, torch.einsum("ii->i", Range(3, 3)));
    }

    [Fact]
    public void SingularValuesAndDecomposition()
    {
        using var scope = torch.NewDisposeScope();
        var a = D(new double[] { 3, 0, 0, 4, 0, 0 }, 3, 2);
        Close(new double[] { 4, 3 }, torch.linalg.svdvals(a), new long[] { 2 });

        var m = Randn(1, 4, 3);
        var (u, s, vh) = torch.linalg.svd(m, full_matrices: false);
        Assert.Equal(new long[] { 4, 3 }, u.shape);
        Assert.Equal(new long[] { 3 }, s.shape);
        Assert.Equal(new long[] { 3, 3 }, vh.shape);
        Close(m.ToArray<double>(), u.matmul(s.diag()).matmul(vh), tol: 1e-10);
        Close(s.ToArray<double>(), torch.linalg.svdvals(m), tol: 1e-10);
        var full = torch.linalg.svd(m);
        Assert.Equal(new long[] { 4, 4 }, full.U.shape);
        Close(torch.eye(4, dtype: torch.float64).ToArray<double>(), full.U.mT.matmul(full.U), tol: 1e-10);
        Assert.Equal(new long[] { 5, 2 }, torch.linalg.svdvals(torch.randn(5, 2, 3)).shape);
    }

    [Fact]
    public void GradientsOfProducts()
    {
        GradCheck.Check(x => x[0].matmul(x[1]), new[] { Randn(1, 2, 3, 4), Randn(2, 4, 2) });
        GradCheck.Check(x => x[0].mm(x[1]), new[] { Randn(3, 3, 2), Randn(4, 2, 4) });
        GradCheck.Check(x => x[0].bmm(x[1]), new[] { Randn(5, 2, 2, 3), Randn(6, 2, 3, 2) });
        GradCheck.Check(x => x[0].outer(x[1]) + x[0].dot(x[0]), new[] { Randn(7, 3), Randn(8, 3) });
        GradCheck.Check(x => torch.einsum("bi,ij,bj->b", x[0], x[1], x[2]), new[] { Randn(9, 2, 3), Randn(10, 3, 4), Randn(11, 2, 4) });
    }

    [Fact]
    public void GradientOfSingularValues()
    {
        // Random matrices have distinct singular values, where svdvals is differentiable.
        GradCheck.Check(x => torch.linalg.svdvals(x[0]), new[] { Randn(12, 4, 3) });
        GradCheck.Check(x => torch.linalg.vector_norm(x[0], 2, new long[] { 1 }), new[] { Randn(13, 3, 4) });
    }

    [Fact]
    public void ShapeMismatchNamesTheOpAndShapes()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2, 3);
        Assert.Contains("mm([2, 3] float32 cpu, [2, 3] float32 cpu)", Assert.Throws<TorchException>(() => a.mm(a)).Message);
        Assert.Contains("bmm([2, 3] float32 cpu", Assert.Throws<TorchException>(() => a.bmm(a)).Message);
        var einsum = Assert.Throws<TorchException>(() => torch.einsum("ij,jk->ik", a, a)).Message;
        Assert.Contains("einsum", einsum);
        Assert.Contains("\"ij,jk->ik\" on inputs [2, 3] float32 cpu, [2, 3] float32 cpu", einsum);
        Assert.Contains("inputs [2, 3] float32 cpu, [3] float32 cpu", Assert.Throws<TorchException>(() => torch.cat(new[] { a, torch.ones(3) })).Message);
        Assert.Throws<ArgumentException>(() => torch.einsum("i->"));
    }
}
