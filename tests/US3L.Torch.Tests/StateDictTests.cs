namespace US3L.Torch.Tests;

public class StateDictTests
{
    [Fact]
    public void StateDictHoldsParametersAndPersistentBuffersInOrder()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict();
        Assert.Equal(new[] { "running_mean", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }.OrderBy(k => k), sd.Keys.OrderBy(k => k));
        Assert.Equal("fc1.weight", sd.Keys.First(k => k.StartsWith("fc", StringComparison.Ordinal)));
        Assert.All(sd.Values, t => Assert.False(t.requires_grad));
    }

    [Fact]
    public void StateDictValuesShareStorageWithTheModule()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        model.state_dict()["fc1.bias"].fill_(3);
        Assert.All(model.fc1.bias.ToArray<float>(), v => Assert.Equal(3f, v));
    }

    [Fact]
    public void LoadCopiesValuesIntoTheSameParameters()
    {
        using var a = new TinyMlp();
        using var b = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var weight = b.fc1.weight;
        b.load_state_dict(a.state_dict());
        Assert.Same(weight, b.fc1.weight);
        Assert.Equal(a.fc1.weight.ToArray<float>(), b.fc1.weight.ToArray<float>());
        var x = torch.randn(4, 3);
        Assert.Equal(a.forward(x).ToArray<float>(), b.forward(x).ToArray<float>());
    }

    [Fact]
    public void StrictLoadListsMissingUnexpectedAndMismatchedAndLoadsNothing()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var before = model.fc1.weight.ToArray<float>();
        var sd = new Dictionary<string, Tensor>(model.state_dict().Select(e => KeyValuePair.Create(e.Key, e.Value.clone().fill_(7))));
        sd.Remove("fc2.bias");
        sd["fc3.weight"] = torch.zeros(1);
        sd["fc2.weight"] = torch.zeros(5, 5);
        var ex = Assert.Throws<ArgumentException>(() => model.load_state_dict(sd));
        Assert.Contains("Missing key(s): \"fc2.bias\"", ex.Message);
        Assert.Contains("Unexpected key(s): \"fc3.weight\"", ex.Message);
        Assert.Contains("fc2.weight: checkpoint shape [5, 5], model shape [2, 4]", ex.Message);
        Assert.Equal(before, model.fc1.weight.ToArray<float>());
    }

    [Fact]
    public void NonStrictLoadReportsKeysButStillRejectsShapes()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var sd = new Dictionary<string, Tensor> { ["fc1.bias"] = torch.ones(4), ["extra"] = torch.zeros(1) };
        var result = model.load_state_dict(sd, strict: false);
        Assert.Equal(new[] { "extra" }, result.unexpected_keys);
        Assert.Contains("fc2.weight", result.missing_keys);
        Assert.All(model.fc1.bias.ToArray<float>(), v => Assert.Equal(1f, v));
        sd["fc1.bias"] = torch.ones(3);
        Assert.Throws<ArgumentException>(() => model.load_state_dict(sd, strict: false));
    }

    [Fact]
    public void LoadConvertsDtype()
    {
        using var model = new TinyMlp();
        using var scope = torch.NewDisposeScope();
        var sd = model.state_dict().ToDictionary(e => e.Key, e => e.Value.to(ScalarType.Float64).fill_(0.5));
        model.load_state_dict(sd);
        Assert.Equal(ScalarType.Float32, model.fc2.weight.dtype);
        Assert.All(model.fc2.weight.ToArray<float>(), v => Assert.Equal(0.5f, v));
    }
}
