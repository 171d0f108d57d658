using US3L.Torch.nn;

namespace US3L.Torch.Tests;

public class ModuleTests
{
    [Fact]
    public void NamesFollowRegistrationOrderWithDottedPrefixes()
    {
        using var model = new TinyMlp();
        Assert.Equal(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, model.named_parameters().Select(e => e.name));
        Assert.Equal(new[] { "running_mean", "scratch" }, model.named_buffers().Select(e => e.name));
        Assert.Equal(new[] { "fc1", "act", "fc2" }, model.named_children().Select(e => e.name));
        Assert.Equal(new[] { "", "fc1", "act", "fc2" }, model.named_modules().Select(e => e.name));
        Assert.Same(model.fc2, model.get_submodule("fc2"));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad && p.is_leaf));
    }

    [Fact]
    public void NestedContainersGiveTorchvisionNames()
    {
        using var net = new Sequential(new TinyLinear(2, 3), new ReLU(), new Sequential(new TinyLinear(3, 1)));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.0.weight", "2.0.bias" }, net.named_parameters().Select(e => e.name));
        using var layers = new ModuleList<TinyMlp>(new TinyMlp(), new TinyMlp());
        Assert.Contains("1.fc2.bias", layers.state_dict().Keys);
        Assert.Same(layers[1].fc1, layers.get_submodule("1.fc1"));
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        using var net = new Sequential(new TinyMlp(), new Sequential(new ReLU()));
        net.eval();
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));
    }

    [Fact]
    public void ParametersSurviveDisposeScopesAndModuleDisposeFreesThem()
    {
        TinyMlp model;
        using (torch.NewDisposeScope()) model = new TinyMlp();
        Assert.All(model.parameters(), p => Assert.False(p.IsDisposed));
        var all = model.parameters().Concat(model.buffers()).ToList();
        model.Dispose();
        Assert.All(all, t => Assert.True(t.IsDisposed));
    }

    [Fact]
    public void ToFloat64KeepsParameterIdentityAndGradients()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var before = model.parameters().ToList();
        model.forward(torch.randn(5, 3)).sum().backward();
        model.to(ScalarType.Float64);
        Assert.Equal(before, model.parameters().ToList());
        Assert.All(model.parameters(), p =>
        {
            Assert.Equal(ScalarType.Float64, p.dtype);
            Assert.Equal(ScalarType.Float64, p.grad!.dtype);
            Assert.True(p.requires_grad && p.is_leaf);
        });
        Assert.Equal(ScalarType.Float64, model.running_mean.dtype);
        Assert.Equal(ScalarType.Float64, model.forward(torch.randn(new long[] { 2, 3 }, torch.float64)).dtype);
    }

    [Fact]
    public void ZeroGradClearsEveryGradient()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        model.forward(torch.randn(4, 3)).sum().backward();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        model.zero_grad();
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void ApplyVisitsChildrenBeforeParent()
    {
        using var model = new TinyMlp();
        var order = new List<string>();
        model.apply(m => order.Add(m.TypeName));
        Assert.Equal(new[] { "TinyLinear", "ReLU", "TinyLinear", "TinyMlp" }, order);
    }

    [Fact]
    public void ToStringShowsTheTree()
    {
        using var net = new Sequential(new TinyLinear(3, 4), new ReLU(), new Flatten());
        var expected = string.Join(Environment.NewLine,
            "Sequential(",
            "  (0): TinyLinear(in_features=3, out_features=4)",
            "  (1): ReLU()",
            "  (2): Flatten(start_dim=1, end_dim=-1)",
            ")");
        Assert.Equal(expected, net.ToString());
    }

    [Fact]
    public void RegistrationRejectsBadAndCollidingNames()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        Assert.Contains("contain no '.'", Assert.Throws<ArgumentException>(() => model.register_parameter("a.b", torch.zeros(1))).Message);
        Assert.Contains("a module has that name", Assert.Throws<ArgumentException>(() => model.register_buffer("fc1", torch.zeros(1))).Message);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => model.register_parameter("n", torch.zeros(new long[] { 1 }, torch.int64))).Message);
    }

    private sealed class Probe : Module<Tensor, Tensor>
    {
        public Tensor? Output;
        public override Tensor forward(Tensor x) => Output = x.relu();
    }

    [Fact]
    public void SequentialForwardFreesIntermediatesButNotTheInputOrOutput()
    {
        var (a, b) = (new Probe(), new Probe());
        using var net = new Sequential(a, new Identity(), b);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(6, 3);
        var y = net.forward(x);
        Assert.True(a.Output!.IsDisposed);
        Assert.False(x.IsDisposed);
        Assert.Same(b.Output, y);
        Assert.False(y.IsDisposed);
    }

    [Fact]
    public void FlattenMergesTheChosenDims()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 12 }, new Flatten().forward(torch.zeros(2, 3, 4)).shape);
        Assert.Equal(new long[] { 6, 4 }, new Flatten(0, 1).forward(torch.zeros(2, 3, 4)).shape);
        Assert.Throws<ArgumentException>(() => new Flatten(2, 1).forward(torch.zeros(2, 3, 4)));
    }
}
