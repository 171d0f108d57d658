using US3L.Regularization;
using US3L.Torch.nn;

namespace US3L.Tests.Regularization;

public class GroupRegularizerTests
{
    /// <summary>A conv (10 output channels), a BN1d (3), a linear, a predictor and a feature-distillation adapter.</summary>
    private sealed class TinyNet : Module
    {
        public TinyNet()
        {
            register_module("conv", new Conv2d(2, 10, 1));
            register_module("bn", new BatchNorm1d(3));
            register_module("fc", new Linear(4, 3));
            register_module("predictor", new Linear(3, 3, bias: false));
            register_module("fd_adapter", new Conv2d(2, 4, 1, bias: false));
        }
    }

    private static TinyNet Net(ScalarType dtype = ScalarType.Float32)
    {
        var net = new TinyNet();
        net.to(dtype);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(5);
        foreach (var p in net.parameters()) p.copy_(torch.randn(p.shape, dtype, generator: g));
        return net;
    }

    private static readonly GroupRegularization Settings = new(Lambda: 0.1, Alpha: 0.05, Groups: 8, WarmupEpochs: 0, TotalEpochs: 4,
        ExcludedNameParts: new[] { "fd_adapter" });

    /// <summary>Σ c·p² with loops over elements, in double.</summary>
    private static double HandSum(TinyNet net, GroupRegularization s, int epoch, bool skipPredictor)
    {
        var c = s.Coefficients(epoch);
        var total = 0.0;
        foreach (var (name, p) in net.named_parameters())
        {
            if (name.StartsWith("fd_adapter") || (skipPredictor && name.StartsWith("predictor"))) continue;
            var v = p.detach().@double().ToArray<double>();
            var shape = p.shape;
            for (var k = 0; k < v.Length; k++)
            {
                double coefficient;
                if (shape.Length == 4) coefficient = c[s.GroupOf(k / (shape[1] * shape[2] * shape[3]), shape[0])];
                else if (shape.Length == 1) coefficient = c[s.GroupOf(k, shape[0])];
                else coefficient = s.Lambda;
                total += coefficient * v[k] * v[k];
            }
        }
        return total;
    }

    [Fact]
    public void Penalty_equals_the_hand_computed_sum()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net(ScalarType.Float64);
        using var reg = new GroupRegularizer(net, Settings);
        reg.SetEpoch(2);
        Assert.Equal(HandSum(net, Settings, 2, skipPredictor: false), reg.Penalty(0.5).item<double>(), 1e-12);
        Assert.Equal(HandSum(net, Settings, 2, skipPredictor: true), reg.Penalty(1.0).item<double>(), 1e-12);
    }

    [Fact]
    public void Coefficient_tensors_broadcast_along_the_grouped_axis()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net();
        using var reg = new GroupRegularizer(net, Settings);
        reg.SetEpoch(2);
        var conv = reg.CoefficientOf("conv.weight")!;
        Assert.Equal(new long[] { 10, 1, 1, 1 }, conv.shape);
        var c = Settings.Coefficients(2);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 7, 7 }.Select(i => (float)c[i]), conv.ToArray<float>());
        Assert.Equal(new long[] { 10 }, reg.CoefficientOf("conv.bias")!.shape);
        Assert.All(reg.CoefficientOf("bn.weight")!.ToArray<float>(), v => Assert.Equal((float)c[7], v));
        Assert.Null(reg.CoefficientOf("fc.weight"));
        Assert.DoesNotContain("fd_adapter.weight", reg.Names);
        Assert.DoesNotContain("bn.running_mean", reg.Names);
    }

    [Fact]
    public void Gradient_is_two_c_p()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net(ScalarType.Float64);
        using var reg = new GroupRegularizer(net, Settings);
        reg.SetEpoch(3);
        reg.Penalty(0.25).backward();
        foreach (var (name, p) in net.named_parameters())
        {
            if (name.StartsWith("fd_adapter"))
            {
                Assert.Null(p.grad);
                continue;
            }
            var c = reg.CoefficientOf(name) ?? torch.scalar_tensor(Settings.Lambda, torch.float64);
            Assert.True((p.grad! - 2 * c * p.detach()).abs().max().item<double>() < 1e-15, name);
        }
    }

    [Fact]
    public void Predictor_is_skipped_only_at_max_width_and_only_when_faithful()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net(ScalarType.Float64);
        var predictor = net.get_submodule("predictor").named_parameters().Single().parameter;
        var own = 0.1 * predictor.detach().square().sum().item<double>();

        using var faithful = new GroupRegularizer(net, Settings);
        faithful.SetEpoch(0);
        Assert.Equal(own, faithful.Penalty(0.5).item<double>() - faithful.Penalty(1.0).item<double>(), 14);

        using var clean = new GroupRegularizer(net, Settings with { SkipPredictorAtMaxWidth = false });
        clean.SetEpoch(0);
        Assert.Equal(clean.Penalty(0.5).item<double>(), clean.Penalty(1.0).item<double>());
    }

    [Fact]
    public void Vit_grouping_splits_linear_weights_along_the_input_axis()
    {
        using var scope = torch.NewDisposeScope();
        using var net = Net();
        using var reg = new GroupRegularizer(net, Settings with { Axis = GroupAxis.LinearInputFeatures, Groups = 2 });
        reg.SetEpoch(2);
        var fc = reg.CoefficientOf("fc.weight")!;
        Assert.Equal(new long[] { 1, 4 }, fc.shape);
        var c = (Settings with { Groups = 2 }).Coefficients(2);
        Assert.Equal(new[] { c[0], c[0], c[1], c[1] }.Select(v => (float)v), fc.ToArray<float>());
        Assert.Null(reg.CoefficientOf("conv.weight"));
        Assert.Null(reg.CoefficientOf("conv.bias"));
    }

    [Fact]
    public void Penalty_before_set_epoch_is_an_error()
    {
        using var net = Net();
        using var reg = new GroupRegularizer(net, Settings);
        Assert.Throws<InvalidOperationException>(() => reg.Penalty(1.0));
    }
}
