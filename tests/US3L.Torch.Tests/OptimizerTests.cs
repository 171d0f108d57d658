using System.Text.Json;
using US3L.Torch.optim;

namespace US3L.Torch.Tests;

public class OptimizerTests
{
    private static readonly double[] P0 = { 1.0, -2.0, 0.5 };
    private static readonly double[] A = { 0.3, 1.5, -0.7 };

    /// <summary>Runs <paramref name="steps"/> steps on loss = 0.5 * sum(a * p^2) and returns p after each.</summary>
    private static List<double[]> Run(Func<Tensor, Optimizer> make, int steps, double[]? p0 = null)
    {
        using var scope = torch.NewDisposeScope();
        var p = nn.Parameter.Create(torch.tensor(p0 ?? P0));
        var a = torch.tensor(A);
        using var opt = make(p);
        var result = new List<double[]>();
        for (var i = 0; i < steps; i++)
        {
            opt.zero_grad();
            using (torch.NewDisposeScope()) (0.5 * (a * p * p).sum()).backward();
            opt.step();
            result.Add(p.ToArray<double>());
        }
        p.Dispose();
        return result;
    }

    /// <summary>PyTorch's SGD rule written out per element in plain doubles.</summary>
    private static List<double[]> HandSgd(double lr, double momentum, double dampening, double wd, bool nesterov, int steps)
    {
        var p = (double[])P0.Clone();
        var buf = new double[p.Length];
        var result = new List<double[]>();
        for (var t = 0; t < steps; t++)
        {
            for (var i = 0; i < p.Length; i++)
            {
                var g = A[i] * p[i] + wd * p[i];
                if (momentum != 0)
                {
                    buf[i] = t == 0 ? g : momentum * buf[i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * g;
            }
            result.Add((double[])p.Clone());
        }
        return result;
    }

    /// <summary>PyTorch's AdamW rule written out per element in plain doubles.</summary>
    private static List<double[]> HandAdamW(double lr, double b1, double b2, double eps, double wd, bool amsgrad, int steps)
    {
        var p = (double[])P0.Clone();
        var (m, v, vmax) = (new double[p.Length], new double[p.Length], new double[p.Length]);
        var result = new List<double[]>();
        for (var t = 1; t <= steps; t++)
        {
            for (var i = 0; i < p.Length; i++)
            {
                var g = A[i] * p[i];
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.Max(vmax[i], v[i]);
                var second = amsgrad ? vmax[i] : v[i];
                var denom = Math.Sqrt(second) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / denom;
            }
            result.Add((double[])p.Clone());
        }
        return result;
    }

    private static void AssertClose(List<double[]> expected, List<double[]> actual, double tol = 1e-12)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var s = 0; s < expected.Count; s++)
            for (var i = 0; i < expected[s].Length; i++)
                Assert.True(Math.Abs(expected[s][i] - actual[s][i]) <= tol * (1 + Math.Abs(expected[s][i])),
                    $"step {s + 1}, element {i}: expected {expected[s][i]:R}, got {actual[s][i]:R}");
    }

    [Theory]
    [InlineData(0.1, 0.0, 0.0, 0.0, false)]
    [InlineData(0.1, 0.9, 0.0, 0.0, false)]
    [InlineData(0.05, 0.9, 0.1, 0.01, false)]
    [InlineData(0.1, 0.9, 0.0, 5e-4, true)]
    public void SgdMatchesTheHandComputedRule(double lr, double momentum, double dampening, double wd, bool nesterov)
    {
        var actual = Run(p => new SGD(new[] { p }, lr, momentum, dampening, wd, nesterov), 5);
        AssertClose(HandSgd(lr, momentum, dampening, wd, nesterov, 5), actual);
    }

    [Theory]
    [InlineData(1e-2, 0.9, 0.999, 1e-8, 1e-2, false)]
    [InlineData(5e-2, 0.8, 0.99, 1e-6, 0.1, true)]
    public void AdamWMatchesTheHandComputedRule(double lr, double b1, double b2, double eps, double wd, bool amsgrad)
    {
        var actual = Run(p => new AdamW(new[] { p }, lr, b1, b2, eps, wd, amsgrad), 6);
        AssertClose(HandAdamW(lr, b1, b2, eps, wd, amsgrad, 6), actual);
    }

    [Fact]
    public void SgdAndAdamWMatchTorchOptim()
    {
        var cases = new (string Opt, object Kwargs, Func<Tensor, Optimizer> Make)[]
        {
            ("SGD", new { lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-3 }, p => new SGD(new[] { p }, 0.1, 0.9, 0, 1e-3, true)),
            ("SGD", new { lr = 0.05, momentum = 0.5, dampening = 0.2 }, p => new SGD(new[] { p }, 0.05, 0.5, 0.2)),
            ("AdamW", new { lr = 0.02, betas = new[] { 0.85, 0.995 }, eps = 1e-7, weight_decay = 0.05, amsgrad = true },
                p => new AdamW(new[] { p }, 0.02, 0.85, 0.995, 1e-7, 0.05, amsgrad: true)),
        };
        var specs = JsonSerializer.Serialize(cases.Select(c => new { opt = c.Opt, kwargs = c.Kwargs, p = P0, a = A, steps = 5 }));
        var lines = PythonReference.Run("optim_reference.py", specs).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Length, lines.Length);
        for (var i = 0; i < cases.Length; i++)
            AssertClose(JsonSerializer.Deserialize<List<double[]>>(lines[i])!, Run(cases[i].Make, 5), 1e-12);
    }

    [Fact]
    public void LarsScalesByTheTrustRatioAndExcludesBiases()
    {
        using var scope = torch.NewDisposeScope();
        var w = nn.Parameter.Create(torch.tensor(new double[] { 3, 4 }, 1, 2));
        var b = nn.Parameter.Create(torch.tensor(new double[] { 1 }));
        w.grad = torch.tensor(new double[] { 0.6, 0.8 }, 1, 2);
        b.grad = torch.tensor(new double[] { 2 });
        using var opt = new LARS(new[] { w, b }, lr: 0.5, momentum: 0, weight_decay: 0.1, eta: 1e-3, eps: 0, exclude_bias_n_norm: true);
        opt.step();
        // |w| = 5, |g| = 1: local_lr = 1e-3 * 5 / (1 + 0.1 * 5) = 1/300; d = (g + 0.1 w) / 300.
        var local = 1e-3 * 5 / 1.5;
        AssertClose(new() { new[] { 3 - 0.5 * local * (0.6 + 0.3), 4 - 0.5 * local * (0.8 + 0.4) } }, new() { w.ToArray<double>() }, 1e-14);
        // The bias is excluded: plain SGD, no weight decay.
        AssertClose(new() { new[] { 1 - 0.5 * 2.0 } }, new() { b.ToArray<double>() }, 1e-14);
        w.Dispose();
        b.Dispose();
    }

    [Fact]
    public void LarsClipLrCapsTheRatioAtOne()
    {
        using var scope = torch.NewDisposeScope();
        var w = nn.Parameter.Create(torch.tensor(new double[] { 3, 4 }));
        w.grad = torch.tensor(new double[] { 0.006, 0.008 });
        using var opt = new LARS(new[] { w }, lr: 1e-3, momentum: 0, eta: 1e-3, eps: 0, clip_lr: true);
        opt.step();
        // local_lr = 1e-3 * 5 / 0.01 = 0.5, / lr = 500, clipped to 1: a plain SGD step.
        AssertClose(new() { new[] { 3 - 1e-3 * 0.006, 4 - 1e-3 * 0.008 } }, new() { w.ToArray<double>() }, 1e-15);
        w.Dispose();
    }

    [Fact]
    public void StateDictRoundTripContinuesExactly()
    {
        foreach (var make in new Func<Tensor, Optimizer>[]
        {
            p => new SGD(new[] { p }, 0.1, 0.9, nesterov: true),
            p => new AdamW(new[] { p }, 0.05, amsgrad: true),
            p => new LARS(new[] { p }, 0.2, 0.9, 1e-4),
        })
        {
            var straight = Run(make, 6);
            // Three steps, checkpoint, then a fresh parameter and optimizer resume from it.
            using var scope = torch.NewDisposeScope();
            var a = torch.tensor(A);
            var p = nn.Parameter.Create(torch.tensor(P0));
            var opt = make(p);
            void Step(Tensor q, Optimizer o)
            {
                o.zero_grad();
                using (torch.NewDisposeScope()) (0.5 * (a * q * q).sum()).backward();
                o.step();
            }
            for (var i = 0; i < 3; i++) Step(p, opt);
            var saved = opt.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
            var q = nn.Parameter.Create(p.detach().clone());
            opt.Dispose();
            using var resumed = make(q);
            resumed.load_state_dict(saved);
            var rest = new List<double[]>();
            for (var i = 0; i < 3; i++)
            {
                Step(q, resumed);
                rest.Add(q.ToArray<double>());
            }
            AssertClose(straight.Skip(3).ToList(), rest, 0);
            p.Dispose();
            q.Dispose();
        }
    }

    [Fact]
    public void StateDictCarriesGroupOptionsAndRejectsMismatches()
    {
        using var scope = torch.NewDisposeScope();
        var p = nn.Parameter.Create(torch.zeros(3));
        var q = nn.Parameter.Create(torch.zeros(2));
        using var opt = new SGD(new[] { new optim.ParamGroup(new[] { p }), new optim.ParamGroup(new[] { q }, new() { ["weight_decay"] = 0 }) },
            lr: 0.1, momentum: 0.9, weight_decay: 1e-4);
        Assert.Equal(1e-4, opt.param_groups[0]["weight_decay"]);
        Assert.Equal(0, opt.param_groups[1]["weight_decay"]);
        opt.param_groups[1].lr = 0.03;
        var sd = opt.state_dict();
        Assert.Equal(0.03, sd["param_groups.1.lr"].item<double>());
        Assert.Equal(new long[] { 1 }, sd["param_groups.1.params"].ToArray<long>());

        using var other = new SGD(new[] { new optim.ParamGroup(new[] { p }), new optim.ParamGroup(new[] { q }) }, lr: 1, momentum: 0.9);
        other.load_state_dict(sd);
        Assert.Equal(0.03, other.param_groups[1].lr);

        var bad = sd.ToDictionary(e => e.Key, e => e.Value);
        bad["state.0.momentum_buffer"] = torch.zeros(5);
        var ex = Assert.Throws<ArgumentException>(() => other.load_state_dict(bad));
        Assert.Contains("'state.0.momentum_buffer' has shape [5], parameter 0 has [3]", ex.Message);
        Assert.Contains("Unknown option(s) momentm", Assert.Throws<ArgumentException>(() =>
            new SGD(new[] { new optim.ParamGroup(new[] { p }, new() { ["momentm"] = 0.9 }) }, lr: 0.1)).Message);
        p.Dispose();
        q.Dispose();
    }

    [Fact]
    public void StepLeaksNoTensors()
    {
        using var scope = torch.NewDisposeScope();
        var p = nn.Parameter.Create(torch.randn(4));
        using var opt = new AdamW(new[] { p }, amsgrad: true);
        p.grad = torch.ones(4);
        opt.step();
        var outer = DisposeScope.Current!.Count;
        for (var i = 0; i < 5; i++) opt.step();
        Assert.Equal(outer, DisposeScope.Current!.Count);
        p.Dispose();
    }

    [Fact]
    public void InvalidHyperParametersAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var p = nn.Parameter.Create(torch.zeros(1));
        Assert.Throws<ArgumentException>(() => new SGD(new[] { p }, lr: -1));
        Assert.Throws<ArgumentException>(() => new SGD(new[] { p }, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new AdamW(new[] { p }, beta1: 1.0));
        Assert.Throws<ArgumentException>(() => new SGD(Array.Empty<Tensor>(), lr: 0.1));
        p.Dispose();
    }
}
