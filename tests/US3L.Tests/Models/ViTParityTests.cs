using System.Globalization;
using System.Text.Json;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Torch.Serialization;
using Xunit.Abstractions;

namespace US3L.Tests.Models;

/// <summary>
/// The kit's US-ViT against the reference US-ViT (a transcription of us_vits.py in
/// reference/us_vit_parity.py, run in Debian's PyTorch) on the same weights and input:
/// science.md 1.3-1.4.
/// </summary>
public class ViTParityTests(ITestOutputHelper output)
{
    private static readonly double[] Widths = { 1.0, 0.75, 0.5, 0.25 };

    [Fact]
    public void SmallConfigMatchesTheReferenceAtEveryWidth() =>
        CompareWithReference(new ViTSize(4, 32, 2, 2), imageSize: 16, channels: 3, batch: 3);

    [Fact]
    public void TinyConfigMatchesTheReferenceAtEveryWidth() =>
        CompareWithReference(ViTSize.Tiny, imageSize: 224, channels: 3, batch: 1);

    private void CompareWithReference(ViTSize size, int imageSize, int channels, int batch)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        const int classes = 7;
        using var model = new USViT("us_vit_parity", size, imageSize, new ModelOptions { InChannels = channels, NumClasses = classes, Seed = 3 });
        using var g = new Generator(5);
        RandomizeAllButThePositionTable(model, g);
        var x = torch.randn(new long[] { batch, channels, imageSize, imageSize }, generator: g);

        var io = new Dictionary<string, Tensor> { ["x"] = x };
        var features = new Dictionary<double, Tensor>();
        foreach (var w in Widths)
            foreach (var mode in new[] { "eval", "train" })
            {
                model.SetWidth(w);
                model.train(mode == "train");
                using var _ = torch.no_grad();
                var f = model.forward(x);
                io[$"features/{Key(w)}/{mode}"] = f;
                io[$"logits/{Key(w)}/{mode}"] = model.Head!.forward(f);
                features[w] = f;
            }
        var weights = Path.Combine(dir.Path, "weights.safetensors");
        var ioPath = Path.Combine(dir.Path, "io.safetensors");
        Safetensors.Save(weights, model.state_dict());
        Safetensors.Save(ioPath, io);
        var config = JsonSerializer.Serialize(new
        {
            img = imageSize, patch = size.Patch, in_chans = channels, dim = size.Dim, depth = size.Depth, heads = size.Heads, classes,
            widths = Widths,
        });
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "us_vit_parity.py"));
        var result = JsonDocument.Parse(Python.Run(script, weights, ioPath, config)).RootElement;

        Assert.Equal(model.state_dict().Keys, result.GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name),
            result.GetProperty("frozen").EnumerateArray().Select(e => e.GetString()!));
        Assert.True(result.GetProperty("pos_embed_max_abs_diff").GetDouble() < 1e-6, result.ToString());
        foreach (var w in Widths)
            foreach (var mode in new[] { "eval", "train" })
            {
                var r = result.GetProperty("widths").GetProperty(Key(w)).GetProperty(mode);
                var (fe, le) = (r.GetProperty("features").GetDouble(), r.GetProperty("logits").GetDouble());
                output.WriteLine($"{size} width {Key(w)} {mode}: max |features diff| {fe:E2}, max |logits diff| {le:E2}, max |feature| {r.GetProperty("feature_scale").GetDouble():F2}");
                Assert.True(fe < 1e-5 && le < 1e-5, $"width {w} {mode}: {r}");
            }
        // The widths really run different sub-networks, so agreeing at each of them means something.
        using var gap = (features[1.0] - features[0.25]).abs().max();
        Assert.True(gap.item<float>() > 1e-2, $"features at widths 1.0 and 0.25 differ by only {gap.item<float>()}");
    }

    /// <summary>
    /// MoCo v3's init leaves biases at 0 and LayerNorms at (1, 0), which would hide a wrong bias or
    /// LayerNorm slice: every parameter but the fixed sin-cos table gets random values.
    /// </summary>
    private static void RandomizeAllButThePositionTable(USViT model, Generator g)
    {
        using var _ = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name == "pos_embed") continue;
            using var noise = torch.randn(p.shape, generator: g);
            if (name.EndsWith("norm1.weight") || name.EndsWith("norm2.weight") || name == "norm.weight")
                p.copy_(noise * 0.2 + 1);
            else
                p.copy_(noise * (p.dim() == 2 ? 1 / Math.Sqrt(p.size(1)) : 0.1));
        }
    }

    private static string Key(double w) => w.ToString("0.0###", CultureInfo.InvariantCulture);
}
