namespace US3L.Tests;

/// <summary>
/// (A copy of the engine tests' helper, so the kit tests keep their single project reference.)
/// Finite-difference gradient check in float64, as torch.autograd.gradcheck: the analytic
/// gradient of sum(f(x) * w) for a random weight w is compared, entry by entry, with central
/// differences of the same scalar.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks d f / d inputs. Inputs must be float64; each is cloned and made a leaf.
    /// Asserts |analytic - numeric| &lt;= atol + rtol * |numeric| for every entry.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3,
        bool[]? differentiable = null)
    {
        using var scope = torch.NewDisposeScope();
        var leaves = inputs.Select(x =>
        {
            Assert.Equal(ScalarType.Float64, x.dtype);
            return x.detach().clone();
        }).ToArray();
        for (var i = 0; i < leaves.Length; i++)
            if (differentiable is null || differentiable[i]) leaves[i].requires_grad_(true);

        var output = f(leaves);
        using var g = new Generator(1234);
        var weight = torch.randn(output.shape, torch.float64, generator: g);
        (output * weight).sum().backward();

        for (var i = 0; i < leaves.Length; i++)
        {
            if (differentiable is not null && !differentiable[i]) continue;
            var analytic = leaves[i].grad?.ToArray<double>() ?? new double[leaves[i].numel()];
            var numeric = Numeric(f, leaves, i, weight, eps);
            for (var k = 0; k < numeric.Length; k++)
            {
                var tolerance = atol + rtol * Math.Abs(numeric[k]);
                Assert.True(Math.Abs(analytic[k] - numeric[k]) <= tolerance,
                    $"input {i}, element {k}: analytic {analytic[k]:G8} vs numeric {numeric[k]:G8}");
            }
        }
    }

    private static double[] Numeric(Func<Tensor[], Tensor> f, Tensor[] leaves, int index, Tensor weight, double eps)
    {
        var x = leaves[index];
        var n = (int)x.numel();
        var result = new double[n];
        using var noGrad = torch.no_grad();
        var flat = x.detach().view(-1);
        for (var k = 0; k < n; k++)
        {
            using var inner = torch.NewDisposeScope();
            var original = flat.narrow(0, k, 1).item<double>();
            flat.narrow(0, k, 1).fill_(original + eps);
            var plus = (f(leaves) * weight).sum().item<double>();
            flat.narrow(0, k, 1).fill_(original - eps);
            var minus = (f(leaves) * weight).sum().item<double>();
            flat.narrow(0, k, 1).fill_(original);
            result[k] = (plus - minus) / (2 * eps);
        }
        return result;
    }
}
