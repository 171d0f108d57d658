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

    /// <summary>One case: a small config in train and eval mode, and ViT-Tiny's shapes at 224 in eval mode.</summary>
    private sealed record Case(ViTSize Size, int ImageSize, int Batch, string[] Modes);

    [Fact]
    public void OutputsEqualTheReferenceAtEveryWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        // Dropout and drop-path are 0, so train and eval mode are one function; the small case checks that too.
        var cases = new[] { new Case(new ViTSize(4, 32, 2, 2), 16, 3, new[] { "eval", "train" }), new Case(ViTSize.Tiny, 224, 1, new[] { "eval" }) };
        var models = new List<USViT>();
        var features = new List<Dictionary<double, Tensor>>();
        var files = new List<object>();
        try
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var (model, f, file) = RunKit(cases[i], dir.Path, i);
                models.Add(model);
                features.Add(f);
                files.Add(file);
            }
            var casesPath = Path.Combine(dir.Path, "cases.json");
            File.WriteAllText(casesPath, JsonSerializer.Serialize(files));
            var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "us_vit_parity.py"));
            var results = JsonDocument.Parse(Python.Run(script, casesPath)).RootElement.EnumerateArray().ToList();
            for (var i = 0; i < cases.Length; i++) Check(cases[i], models[i], features[i], results[i]);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    /// <summary>Builds the case's kit model, randomizes it, and writes its weights, input and outputs per width and mode.</summary>
    private static (USViT Model, Dictionary<double, Tensor> Features, object File) RunKit(Case c, string dir, int index)
    {
        const int classes = 7, channels = 3;
        var model = new USViT("us_vit_parity", c.Size, c.ImageSize, new ModelOptions { InChannels = channels, NumClasses = classes, Seed = 3 });
        using var g = new Generator(5);
        RandomizeAllButThePositionTable(model, g);
        var x = torch.randn(new long[] { c.Batch, channels, c.ImageSize, c.ImageSize }, generator: g);
        var io = new Dictionary<string, Tensor> { ["x"] = x };
        var features = new Dictionary<double, Tensor>();
        foreach (var w in Widths)
            foreach (var mode in c.Modes)
            {
                model.SetWidth(w);
                model.train(mode == "train");
                using var _ = torch.no_grad();
                var f = model.forward(x);
                io[$"features/{Key(w)}/{mode}"] = f;
                io[$"logits/{Key(w)}/{mode}"] = model.Head!.forward(f);
                features[w] = f;
            }
        var weights = Path.Combine(dir, $"weights{index}.safetensors");
        var ioPath = Path.Combine(dir, $"io{index}.safetensors");
        Safetensors.Save(weights, model.state_dict());
        Safetensors.Save(ioPath, io);
        var config = new
        {
            img = c.ImageSize, patch = c.Size.Patch, in_chans = channels, dim = c.Size.Dim, depth = c.Size.Depth, heads = c.Size.Heads, classes,
            widths = Widths, modes = c.Modes,
        };
        return (model, features, new { weights, io = ioPath, config });
    }

    private void Check(Case c, USViT model, Dictionary<double, Tensor> features, JsonElement result)
    {
        Assert.Equal(model.state_dict().Keys, result.GetProperty("names").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name),
            result.GetProperty("frozen").EnumerateArray().Select(e => e.GetString()!));
        Assert.True(result.GetProperty("pos_embed_max_abs_diff").GetDouble() < 1e-6, result.ToString());
        foreach (var w in Widths)
            foreach (var mode in c.Modes)
            {
                var r = result.GetProperty("widths").GetProperty(Key(w)).GetProperty(mode);
                var (fe, le) = (r.GetProperty("features").GetDouble(), r.GetProperty("logits").GetDouble());
                output.WriteLine($"D={c.Size.Dim} depth={c.Size.Depth} {c.ImageSize}x{c.ImageSize} width {Key(w)} {mode}: " +
                                 $"max |features diff| {fe:E2}, max |logits diff| {le:E2}, max |feature| {r.GetProperty("feature_scale").GetDouble():F2}");
                Assert.True(fe < 1e-5 && le < 1e-5, $"D={c.Size.Dim} width {w} {mode}: {r}");
            }
        // The widths really run different sub-networks, so agreeing at each of them means something.
        for (var i = 1; i < Widths.Length; i++)
        {
            using var gap = (features[Widths[i - 1]] - features[Widths[i]]).abs().max();
            Assert.True(gap.item<float>() > 1e-2, $"D={c.Size.Dim}: features at widths {Widths[i - 1]} and {Widths[i]} differ by only {gap.item<float>()}");
        }
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
