using US3L.Models;
using US3L.Slimmable;

namespace US3L.Tests.Models;

/// <summary>The US-ViT's structure, slimming, init and errors (science.md 1.3-1.4).</summary>
public class ViTTests
{
    [Fact]
    public void StateDictUsesTheReferenceNames()
    {
        using var model = ModelRegistry.Create("us_vit_tiny", new ModelOptions { NumClasses = 10 });
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal(new[] { "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "blocks.0.norm1.weight",
            "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias",
            "blocks.0.norm2.weight", "blocks.0.norm2.bias", "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight",
            "blocks.0.mlp.fc2.bias" }, keys.Take(16));
        Assert.Equal(new[] { "norm.weight", "norm.bias", "head.weight", "head.bias" }, keys.TakeLast(4));
        Assert.Equal(4 + 12 * 12 + 4, keys.Count);
        Assert.Equal(new long[] { 1, 197, 192 }, model.state_dict()["pos_embed"].shape);
        Assert.Equal(new long[] { 576, 192 }, model.state_dict()["blocks.11.attn.qkv.weight"].shape);
    }

    [Fact]
    public void FeaturesStayFullWidthAndOnlyLinearInputsSlim()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_vit_mini", ModelRegistry.MiniOptions());
        model.SetWidth(0.25);
        Assert.Equal(96, model.FeatureDim(0.25));
        var features = model.forward(torch.randn(4, 1, 28, 28));
        Assert.Equal(new long[] { 4, 96 }, features.shape);
        features.square().sum().backward();
        var sd = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // in(0.25) = 24 of D = 96 and 96 of the MLP's 384: weight columns beyond them get no gradient.
        foreach (var (name, used, full) in new[] { ("attn.qkv", 24, 96), ("attn.proj", 24, 96), ("mlp.fc1", 24, 96), ("mlp.fc2", 96, 384) })
        {
            var w = sd[$"blocks.5.{name}.weight"].grad!;
            Assert.Equal(0, SlimmableTestMath.Used(w.narrow(1, used, full - used)));
            Assert.True(SlimmableTestMath.Used(w.narrow(1, 0, used)) > 0, name);
        }
        // A block's LayerNorm normalizes over all D features, but qkv and fc1 read only its first 24
        // outputs, so only γ[:24] and β[:24] learn; the final norm's outputs are all features, so all of it learns.
        Assert.True(sd["blocks.5.norm1.weight"].grad!.narrow(0, 0, 24).abs().min().item<float>() > 0);
        Assert.Equal(0, SlimmableTestMath.Used(sd["blocks.5.norm2.bias"].grad!.narrow(0, 24, 72)));
        Assert.True(sd["norm.bias"].grad!.abs().min().item<float>() > 0);
    }

    [Fact]
    public void EveryHeadRunsButProjReadsOnlyTheFirstInputFeatures()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_vit_mini", ModelRegistry.MiniOptions() with { Seed = 2 });
        var qkv = model.modules().OfType<USLinear>().First();
        // qkv writes all 3·D = 288 features at every width: 3 heads of 32 each for q, k and v, scale 1/sqrt(32).
        Assert.Equal(288, qkv.OutFeatures(0.25));
        model.SetWidth(0.25);
        model.forward(torch.randn(4, 1, 28, 28)).square().sum().backward();
        var rows = model.named_parameters().Single(p => p.name == "blocks.5.attn.qkv.weight").parameter.grad!.abs().sum(1).ToArray<float>();
        var learning = Enumerable.Range(0, 288).Where(r => rows[r] > 0).ToArray();
        // proj reads features 0..23 of the heads' concatenated outputs, all inside head 0: only head 0's
        // queries (rows 0-31) and keys (96-127) and its first 24 values (192-215) reach the output.
        var expected = Enumerable.Range(0, 32).Concat(Enumerable.Range(96, 32)).Concat(Enumerable.Range(192, 24));
        Assert.Equal(expected, learning);
    }

    [Fact]
    public void PatchProjectionIsFrozenUnlessAskedOtherwise()
    {
        using var frozen = ModelRegistry.Create("us_vit_mini");
        Assert.Equal(new[] { "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias" },
            frozen.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name));
        using var trainable = ModelRegistry.Create("us_vit_mini", new ModelOptions { FreezePatchProjection = false });
        Assert.Equal(new[] { "pos_embed" }, trainable.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name));
    }

    [Fact]
    public void InitialisationFollowsMocoV3()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_vit_tiny", new ModelOptions { NumClasses = 100, Seed = 9 });
        var p = model.state_dict();
        // Q, K and V each as a 192x192 matrix: bound sqrt(6 / (192 + 192)); the others Xavier: sqrt(6 / (fan_in + fan_out)).
        AssertUniform(p["blocks.3.attn.qkv.weight"], Math.Sqrt(6.0 / (192 + 192)));
        AssertUniform(p["blocks.3.attn.proj.weight"], Math.Sqrt(6.0 / (192 + 192)));
        AssertUniform(p["blocks.3.mlp.fc1.weight"], Math.Sqrt(6.0 / (192 + 768)));
        AssertUniform(p["head.weight"], Math.Sqrt(6.0 / (192 + 100)));
        AssertUniform(p["patch_embed.proj.weight"], Math.Sqrt(6.0 / (3 * 16 * 16 + 192)));
        foreach (var bias in new[] { "blocks.3.attn.qkv.bias", "blocks.3.mlp.fc2.bias", "head.bias", "patch_embed.proj.bias", "norm.bias" })
            Assert.Equal(0, SlimmableTestMath.Used(p[bias]));
        Assert.Equal(1, p["blocks.0.norm1.weight"].min().item<float>());
        var cls = p["cls_token"].std().item<float>();
        Assert.InRange(cls, 0.5e-6, 2e-6);
    }

    private static void AssertUniform(Tensor weight, double bound)
    {
        var max = weight.abs().max().item<float>();
        Assert.InRange(max, 0.99 * bound, bound);
        // U(-b, b) has standard deviation b / sqrt(3).
        Assert.InRange(weight.std().item<float>(), 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));
    }

    [Fact]
    public void PositionEmbeddingIsTheFixedSinCosTable()
    {
        using var scope = torch.NewDisposeScope();
        const int grid = 7, dim = 96;
        var table = SinCosPositionEmbedding.Build(grid, dim);
        Assert.Equal(new long[] { 1, 50, 96 }, table.shape);
        var values = table.to(ScalarType.Float64).ToArray<double>();
        var maxError = 0.0;
        for (var k = 0; k < grid * grid; k++)
            for (var i = 0; i < dim / 4; i++)
            {
                double omega = Math.Pow(10000, -(double)i / (dim / 4)), a = k / grid, b = k % grid;
                var row = (k + 1) * dim;
                foreach (var (offset, expected) in new[] { (0, Math.Sin(a * omega)), (1, Math.Cos(a * omega)), (2, Math.Sin(b * omega)), (3, Math.Cos(b * omega)) })
                    maxError = Math.Max(maxError, Math.Abs(values[row + offset * dim / 4 + i] - expected));
            }
        Assert.True(maxError < 1e-5, $"max error {maxError}");
        Assert.Equal(0, values.Take(dim).Max(Math.Abs));
        using var model = ModelRegistry.Create("us_vit_mini", ModelRegistry.MiniOptions());
        Assert.Equal(0, SlimmableTestMath.Used(model.state_dict()["pos_embed"] - table));
    }

    [Fact]
    public void ImageSizeIsFixedAtConstruction()
    {
        using var scope = torch.NewDisposeScope();
        using var mini = ModelRegistry.Create("us_vit_mini", ModelRegistry.MiniOptions());
        Assert.Equal(28, mini.DefaultInputSize);
        var e = Assert.Throws<ArgumentException>(() => mini.forward(torch.randn(2, 1, 32, 32)));
        Assert.Contains("built for [B, 1, 28, 28] inputs, got [2, 1, 32, 32]", e.Message);
        Assert.Contains("ModelOptions.ImageSize = 32", Assert.Throws<ArgumentException>(() => mini.Cost(1.0, 32)).Message);
        using var rgb = ModelRegistry.Create("us_vit_mini");
        Assert.Equal(32, rgb.DefaultInputSize);
        using var tiny96 = ModelRegistry.Create("us_vit_tiny", new ModelOptions { ImageSize = 96 });
        Assert.Equal(new long[] { 1, 37, 192 }, tiny96.state_dict()["pos_embed"].shape);
        Assert.Contains("multiple of the patch side 16",
            Assert.Throws<ArgumentException>(() => ModelRegistry.Create("us_vit_tiny", new ModelOptions { ImageSize = 100 })).Message);
    }

    [Fact]
    public void NothingToCalibrateAndNoPlainFormToExport()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_vit_mini", ModelRegistry.MiniOptions());
        Assert.Equal(0, BnCalibration.Calibrate(model, 0.5, new[] { torch.randn(2, 1, 28, 28) }));
        Assert.Equal(0.5, model.Width);
        Assert.False(model.training);
        var e = Assert.Throws<NotSupportedException>(() => WidthExporter.Slice(model, 0.5));
        Assert.Contains("us_vit_mini has no plain fixed-width form to export", e.Message);
    }
}
