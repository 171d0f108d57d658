using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Models;

/// <summary>
/// Cuts an image into non-overlapping patches and embeds each one (<c>proj</c>, a patch-sized conv
/// with stride = patch): [B, C, H, W] to tokens [B, L, D]. It never slims (science.md 1.3): the
/// conv is a <see cref="USConv2d"/> with both sides fixed, so cost counting and hooks treat it as
/// any other conv. The input side is fixed at construction, as the reference's assertion.
/// </summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    private readonly USConv2d proj;

    internal PatchEmbed(int imageSize, int patch, int inChannels, int dim, Generator? g)
    {
        if (imageSize < patch || imageSize % patch != 0)
            throw new ArgumentException($"The image side {imageSize} must be a positive multiple of the patch side {patch}.");
        ImageSize = imageSize;
        Grid = imageSize / patch;
        proj = register_module("proj", new USConv2d(inChannels, dim, patch, patch, slimIn: false, slimOut: false, bias: true, generator: g));
    }

    /// <summary>The patch projection, a conv with kernel = stride = patch.</summary>
    public USConv2d Proj => proj;

    public int ImageSize { get; }

    /// <summary>Patches per side; L = Grid².</summary>
    public int Grid { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(2) != ImageSize || input.size(3) != ImageSize)
            throw new ArgumentException(
                $"The patch embedding is built for [B, {proj.in_channels}, {ImageSize}, {ImageSize}] inputs, got {ShapeText.Of(input)} " +
                "(build the network with ModelOptions.ImageSize for another side).");
        using var maps = proj.forward(input);
        using var flat = maps.flatten(2);
        return flat.transpose(1, 2);
    }
}

/// <summary>
/// Multi-head self-attention with the reference's partial slimming (science.md 1.3): <c>qkv</c>
/// and <c>proj</c> read only the first in(w) features of their full-width inputs and write all of
/// their outputs. Every head, the head dimension D/H and the softmax scale stay as at width 1.0,
/// but <c>proj</c> reads only the first in(w) features of the concatenated head outputs, so only
/// the first ⌈in(w)/(D/H)⌉ heads reach the output.
/// </summary>
public sealed class USAttention : Module<Tensor, Tensor>
{
    private readonly int heads;
    private readonly double scale;
    private readonly USLinear qkv;
    private readonly USLinear proj;

    internal USAttention(int dim, int heads, int divisor, Generator? g)
    {
        if (dim % heads != 0) throw new ArgumentException($"The embedding width {dim} must be a multiple of the {heads} heads.");
        this.heads = heads;
        scale = 1 / Math.Sqrt(dim / heads);
        qkv = register_module("qkv", new USLinear(dim, 3 * dim, divisor: divisor, generator: g, sliceInput: true));
        proj = register_module("proj", new USLinear(dim, dim, divisor: divisor, generator: g, sliceInput: true));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.size(0), n = x.size(1), d = x.size(2);
        var parts = qkv.forward(x).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4).unbind(0);
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var attn = F.softmax(q.matmul(k.transpose(-2, -1)) * scale, -1);
        var mixed = attn.matmul(v).transpose(1, 2).reshape(b, n, d);
        return scope.MoveToOuter(proj.forward(mixed));
    }

    /// <summary>The two linears per token plus the two attention products (N·N·D MACs each at every width).</summary>
    internal void CountCost(CostCounter c, long tokens)
    {
        var w = c.Width;
        c.Add(qkv.ParamCount(w), tokens * qkv.Macs(w));
        c.Add(0, 2 * tokens * tokens * qkv.in_features);
        c.Add(proj.ParamCount(w), tokens * proj.Macs(w));
    }
}

/// <summary>The MLP of a block, fc1 → GELU → fc2, each reading the first in(w) features of its input (science.md 1.3).</summary>
public sealed class USMlp : Module<Tensor, Tensor>
{
    private readonly USLinear fc1;
    private readonly USLinear fc2;

    internal USMlp(int dim, int hidden, int divisor, Generator? g)
    {
        fc1 = register_module("fc1", new USLinear(dim, hidden, divisor: divisor, generator: g, sliceInput: true));
        fc2 = register_module("fc2", new USLinear(hidden, dim, divisor: divisor, generator: g, sliceInput: true));
    }

    public override Tensor forward(Tensor x)
    {
        using var h = fc1.forward(x);
        using var a = F.gelu(h);
        return fc2.forward(a);
    }

    internal void CountCost(CostCounter c, long tokens)
    {
        c.Add(fc1.ParamCount(c.Width), tokens * fc1.Macs(c.Width));
        c.Add(fc2.ParamCount(c.Width), tokens * fc2.Macs(c.Width));
    }
}

/// <summary>
/// A pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)). The LayerNorms are
/// full width with unsliced γ/β at every width, as the reference's USLayerNorm (science.md 1.3).
/// </summary>
public sealed class USViTBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly USAttention attn;
    private readonly LayerNorm norm2;
    private readonly USMlp mlp;

    internal USViTBlock(int dim, int heads, int mlpHidden, int divisor, Generator? g)
    {
        norm1 = register_module("norm1", new LayerNorm(dim, USViT.LayerNormEps));
        attn = register_module("attn", new USAttention(dim, heads, divisor, g));
        norm2 = register_module("norm2", new LayerNorm(dim, USViT.LayerNormEps));
        mlp = register_module("mlp", new USMlp(dim, mlpHidden, divisor, g));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x + attn.forward(norm1.forward(x));
        return scope.MoveToOuter(y + mlp.forward(norm2.forward(y)));
    }

    internal void CountCost(CostCounter c, long tokens)
    {
        c.Add(2 * norm1.weight!.numel(), 0);
        attn.CountCost(c, tokens);
        c.Add(2 * norm2.weight!.numel(), 0);
        mlp.CountCost(c, tokens);
    }
}
