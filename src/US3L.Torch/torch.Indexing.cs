namespace US3L.Torch;

/// <summary>Function forms of the indexing ops: <c>torch.gather(x, 1, idx)</c>, <c>torch.tril(x)</c>.</summary>
public static partial class torch
{
    public static Tensor select(Tensor x, long dim, long index) => x.select(dim, index);
    public static Tensor index_select(Tensor x, long dim, Tensor index) => x.index_select(dim, index);
    public static Tensor gather(Tensor x, long dim, Tensor index) => x.gather(dim, index);
    public static Tensor scatter(Tensor x, long dim, Tensor index, Tensor src) => x.scatter(dim, index, src);
    public static Tensor scatter_add(Tensor x, long dim, Tensor index, Tensor src) => x.scatter_add(dim, index, src);
    public static Tensor masked_fill(Tensor x, Tensor mask, double value) => x.masked_fill(mask, value);
    public static Tensor masked_fill(Tensor x, Tensor mask, Tensor value) => x.masked_fill(mask, value);
    public static Tensor masked_select(Tensor x, Tensor mask) => x.masked_select(mask);
    public static Tensor nonzero(Tensor x) => x.nonzero();
    public static Tensor tril(Tensor x, long diagonal = 0) => x.tril(diagonal);
    public static Tensor triu(Tensor x, long diagonal = 0) => x.triu(diagonal);
    public static Tensor diag(Tensor x, long diagonal = 0) => x.diag(diagonal);
    public static Tensor diagonal(Tensor x, long offset = 0, long dim1 = 0, long dim2 = 1) => x.diagonal(offset, dim1, dim2);
}
