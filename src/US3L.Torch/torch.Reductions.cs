namespace US3L.Torch;

/// <summary>Function forms of the reductions: <c>torch.sum(x, 1)</c>, <c>torch.topk(x, 5)</c>.</summary>
public static partial class torch
{
    public static Tensor sum(Tensor x, long[]? dim = null, bool keepdim = false, ScalarType? dtype = null) => x.sum(dim, keepdim, dtype);
    public static Tensor sum(Tensor x, long dim, bool keepdim = false) => x.sum(dim, keepdim);
    public static Tensor mean(Tensor x, long[]? dim = null, bool keepdim = false) => x.mean(dim, keepdim);
    public static Tensor mean(Tensor x, long dim, bool keepdim = false) => x.mean(dim, keepdim);
    public static Tensor var(Tensor x, long[]? dim = null, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        x.var(dim, unbiased, keepdim, correction);
    public static Tensor var(Tensor x, long dim, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        x.var(dim, unbiased, keepdim, correction);
    public static Tensor std(Tensor x, long[]? dim = null, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        x.std(dim, unbiased, keepdim, correction);
    public static Tensor std(Tensor x, long dim, bool unbiased = true, bool keepdim = false, long? correction = null) =>
        x.std(dim, unbiased, keepdim, correction);
    public static Tensor prod(Tensor x, ScalarType? dtype = null) => x.prod(dtype);
    public static Tensor prod(Tensor x, long dim, bool keepdim = false, ScalarType? dtype = null) => x.prod(dim, keepdim, dtype);
    public static Tensor logsumexp(Tensor x, long[] dim, bool keepdim = false) => x.logsumexp(dim, keepdim);
    public static Tensor logsumexp(Tensor x, long dim, bool keepdim = false) => x.logsumexp(dim, keepdim);
    public static Tensor cumsum(Tensor x, long dim, ScalarType? dtype = null) => x.cumsum(dim, dtype);

    public static Tensor max(Tensor x) => x.max();
    public static Tensor min(Tensor x) => x.min();
    public static (Tensor values, Tensor indices) max(Tensor x, long dim, bool keepdim = false) => x.max(dim, keepdim);
    public static (Tensor values, Tensor indices) min(Tensor x, long dim, bool keepdim = false) => x.min(dim, keepdim);
    public static Tensor amax(Tensor x, long[]? dim = null, bool keepdim = false) => x.amax(dim, keepdim);
    public static Tensor amax(Tensor x, long dim, bool keepdim = false) => x.amax(dim, keepdim);
    public static Tensor amin(Tensor x, long[]? dim = null, bool keepdim = false) => x.amin(dim, keepdim);
    public static Tensor amin(Tensor x, long dim, bool keepdim = false) => x.amin(dim, keepdim);
    public static Tensor argmax(Tensor x) => x.argmax();
    public static Tensor argmax(Tensor x, long dim, bool keepdim = false) => x.argmax(dim, keepdim);
    public static Tensor argmin(Tensor x) => x.argmin();
    public static Tensor argmin(Tensor x, long dim, bool keepdim = false) => x.argmin(dim, keepdim);

    public static (Tensor values, Tensor indices) topk(Tensor x, long k, long dim = -1, bool largest = true, bool sorted = true) =>
        x.topk(k, dim, largest, sorted);
    public static (Tensor values, Tensor indices) sort(Tensor x, long dim = -1, bool descending = false, bool stable = false) =>
        x.sort(dim, descending, stable);
    public static Tensor argsort(Tensor x, long dim = -1, bool descending = false, bool stable = false) => x.argsort(dim, descending, stable);

    public static Tensor norm(Tensor x, double p = 2, long[]? dim = null, bool keepdim = false) => x.norm(p, dim, keepdim);
    public static Tensor norm(Tensor x, double p, long dim, bool keepdim = false) => x.norm(p, dim, keepdim);
    public static Tensor all(Tensor x) => x.all();
    public static Tensor all(Tensor x, long dim, bool keepdim = false) => x.all(dim, keepdim);
    public static Tensor any(Tensor x) => x.any();
    public static Tensor any(Tensor x, long dim, bool keepdim = false) => x.any(dim, keepdim);
    public static Tensor count_nonzero(Tensor x, long[]? dim = null) => x.count_nonzero(dim);
    public static Tensor count_nonzero(Tensor x, long dim) => x.count_nonzero(dim);
}
