using US3L.Torch.nn;
using US3L.Torch.Serialization;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class LayerTests
{
    [Fact]
    public void LinearAndConvMatchTheirFunctionalForms()
    {
        using var scope = torch.NewDisposeScope();
        using var linear = new Linear(6, 3);
        using var conv = new Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2);
        var x = torch.randn(2, 6);
        var img = torch.randn(2, 4, 9, 9);
        TensorAssert.Close(F.linear(x, linear.weight, linear.bias), linear.forward(x), 0);
        TensorAssert.Close(F.conv2d(img, conv.weight, conv.bias, 2, 1, 1, 2), conv.forward(img), 0);
        Assert.Equal(new long[] { 6, 2, 3, 3 }, conv.weight.shape);
    }

    [Fact]
    public void DefaultInitialisationStaysWithinPyTorchBounds()
    {
        using var scope = torch.NewDisposeScope();
        using var linear = new Linear(100, 50, generator: new Generator(3));
        // Kaiming-uniform with a = √5 gives bound 1/√fan_in, as does the bias.
        var bound = 1 / Math.Sqrt(100);
        Assert.True(linear.weight.abs().max().item<float>() <= bound + 1e-6);
        Assert.True(linear.weight.abs().max().item<float>() > 0.9 * bound);
        Assert.True(linear.bias!.abs().max().item<float>() <= bound + 1e-6);
    }

    [Fact]
    public void BatchNormTracksRunningStatisticsInTrainingAndUsesThemInEval()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new BatchNorm2d(3);
        var x = torch.randn(8, 3, 4, 4) * 2 + 5;
        var y = bn.forward(x);
        // Batch statistics: per-channel mean 0 and (biased) variance 1.
        TensorAssert.Close(torch.zeros(3), y.mean(new long[] { 0, 2, 3 }), 1e-5);
        var batchMean = x.mean(new long[] { 0, 2, 3 });
        TensorAssert.Close(batchMean * 0.1, bn.running_mean!, 1e-5);
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());

        bn.eval();
        var expected = (x - bn.running_mean!.reshape(1, 3, 1, 1)) / (bn.running_var!.reshape(1, 3, 1, 1) + 1e-5).sqrt();
        TensorAssert.Close(expected, bn.forward(x), 1e-4);
    }

    [Fact]
    public void BatchNormWithoutRunningStatisticsNormalisesWithTheBatchInEval()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new BatchNorm2d(2, track_running_stats: false);
        bn.eval();
        var y = bn.forward(torch.randn(6, 2, 3, 3) + 4);
        TensorAssert.Close(torch.zeros(2), y.mean(new long[] { 0, 2, 3 }), 1e-5);
        Assert.DoesNotContain(bn.state_dict().Keys, k => k.Contains("running"));
    }

    [Fact]
    public void CumulativeMomentumAveragesEveryBatchEqually()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new BatchNorm1d(2, momentum: null);
        var a = torch.randn(16, 2);
        var b = torch.randn(16, 2) + 3;
        bn.forward(a);
        bn.forward(b);
        TensorAssert.Close((a.mean(0) + b.mean(0)) / 2, bn.running_mean!, 1e-5);
    }

    [Fact]
    public void WrongInputRankIsAClearError()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new BatchNorm2d(3);
        var ex = Assert.Throws<ArgumentException>(() => bn.forward(torch.randn(4, 3)));
        Assert.Contains("expects 4-D input [N, C, H, W], got shape [4, 3]", ex.Message);
    }

    [Fact]
    public void StateDictNamesFollowTorchvisionAndLoadIntoPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        using var model = new Sequential(new Conv2d(3, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new Flatten(),
            new Linear(4 * 8 * 8, 5), new LayerNorm(5));
        var input = torch.randn(2, 3, 8, 8);
        model.forward(torch.randn(6, 3, 8, 8)); // one training batch moves the running statistics
        model.eval();
        var output = model.forward(input);

        var state = model.state_dict();
        Assert.Equal(new[]
        {
            "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
            "4.weight", "4.bias", "5.weight", "5.bias",
        }, state.Keys);

        var file = Path.Combine(Path.GetTempPath(), $"us3l-interop-{Guid.NewGuid():N}.safetensors");
        try
        {
            var tensors = state.ToDictionary(e => "model." + e.Key, e => e.Value);
            tensors["input"] = input;
            tensors["output"] = output;
            Safetensors.Save(file, tensors);
            var maxDifference = double.Parse(PythonReference.Run("module_interop.py", file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(maxDifference < 1e-5, $"PyTorch's output differs by {maxDifference}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TruncatedNormalStaysInsideItsBounds()
    {
        using var scope = torch.NewDisposeScope();
        var t = init.trunc_normal_(torch.empty(10_000), std: 1, a: -0.5, b: 0.5, generator: new Generator(1));
        Assert.True(t.abs().max().item<float>() <= 0.5f);
        Assert.True(t.std().item<float>() > 0.25f); // redrawn, not clamped: no pile-up at the bounds
    }
}
