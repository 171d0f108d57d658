using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// The shape of a US-ViT (science.md 1.4): patch side, embedding width D, blocks, heads, and the
/// MLP hidden width as a multiple of D.
/// </summary>
public sealed record ViTSize(int Patch, int Dim, int Depth, int Heads, int MlpRatio = 4)
{
    /// <summary>The reference's us_vit_tiny: patch 16, D = 192, 12 blocks, 6 heads of 32.</summary>
    public static ViTSize Tiny { get; } = new(16, 192, 12, 6);

    /// <summary>The reference's us_vit_small: patch 16, D = 384, 12 blocks, 12 heads of 32.</summary>
    public static ViTSize Small { get; } = new(16, 384, 12, 12);

    /// <summary>The CPU model for 28x28 and 32x32 inputs (science.md 8.1): patch 4, D = 96, 6 blocks, 3 heads of 32.</summary>
    public static ViTSize Mini { get; } = new(4, 96, 6, 3);
}

/// <summary>
/// A universally slimmable Vision Transformer as the reference's US-ViT trained with MoCo v3
/// (science.md 1.3-1.4). Names follow the reference (<c>cls_token</c>, <c>pos_embed</c>,
/// <c>patch_embed.proj</c>, <c>blocks.0.attn.qkv</c>, <c>blocks.0.mlp.fc1</c>, <c>norm</c>,
/// <c>head</c>). Only the inputs of the four linears of each block slim; the patch embedding,
/// class token, residual stream, LayerNorms, heads and the output stay full width, so
/// F(w) = D at every width. <c>forward</c> returns the final-normed class token [B, D].
/// MoCo v3's init: Xavier-uniform linears with Q, K and V treated as three matrices, a Xavier
/// patch projection (frozen unless <see cref="ModelOptions.FreezePatchProjection"/> is off),
/// class token N(0, 1e-6²), and a fixed 2-D sin-cos position embedding.
/// </summary>
public sealed class USViT : SlimmableNetwork
{
    /// <summary>LayerNorm ε of every norm (the reference's <c>partial(USLayerNorm, eps=1e-6)</c>).</summary>
    public const double LayerNormEps = 1e-6;

    private readonly Tensor cls_token;
    private readonly Tensor pos_embed;
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<USViTBlock> blocks;
    private readonly LayerNorm norm;
    private readonly USLinear? head;

    public ViTSize Size { get; }

    /// <summary>The input side the position embedding is built for.</summary>
    public int ImageSize { get; }

    internal USViT(string arch, ViTSize size, int defaultImageSize, ModelOptions options) : base(arch, options)
    {
        Size = size;
        ImageSize = options.ImageSize ?? defaultImageSize;
        var (d, divisor) = (size.Dim, options.Divisor);
        if (options.InChannels < 1) throw new ArgumentException($"InChannels must be positive, got {options.InChannels}.");
        if (options.SwitchableBn)
            throw new ArgumentException($"{arch} has no BatchNorm (LayerNorm normalises each token), so it has no switchable BN; a fixed width list alone is allowed.");
        if (d % 4 != 0) throw new ArgumentException($"The 2-D sin-cos position embedding needs an embedding width divisible by 4, got {d}.");
        using var g = options.Seed is { } seed ? new Generator(seed) : null;
        patch_embed = new PatchEmbed(ImageSize, size.Patch, options.InChannels, d, g);
        cls_token = register_parameter("cls_token", torch.zeros(1, 1, d));
        pos_embed = register_parameter("pos_embed", SinCosPositionEmbedding.Build(patch_embed.Grid, d), requires_grad: false);
        register_module("patch_embed", patch_embed);
        blocks = register_module("blocks",
            new ModuleList<USViTBlock>(Enumerable.Range(0, size.Depth).Select(_ => new USViTBlock(d, size.Heads, size.MlpRatio * d, divisor, g))));
        norm = register_module("norm", new LayerNorm(d, LayerNormEps));
        if (options.NumClasses is { } classes)
            head = register_module("head", new USLinear(d, classes, slimIn: false, divisor: divisor, generator: g));
        MocoV3Init(g);
        if (options.FreezePatchProjection)
            foreach (var p in patch_embed.parameters()) p.requires_grad_(false);
    }

    public override USLinear? Head => head;

    public override int DefaultInputSize => ImageSize;

    public override int FeatureDim(double width) => Size.Dim;

    /// <summary>
    /// MoCo v3's <c>VisionTransformerMoCo</c> init (science.md 1.4). The patch projection's bound
    /// uses the true fan-in C·p² where the reference writes 3·p² (the same for RGB).
    /// </summary>
    private void MocoV3Init(Generator? g)
    {
        foreach (var (name, module) in named_modules())
        {
            if (module is not USLinear linear) continue;
            if (name.EndsWith(".qkv", StringComparison.Ordinal))
            {
                var bound = Math.Sqrt(6.0 / (linear.out_features / 3 + linear.in_features));
                init.uniform_(linear.weight, -bound, bound, g);
            }
            else init.xavier_uniform_(linear.weight, generator: g);
            init.zeros_(linear.bias!);
        }
        init.normal_(cls_token, 0, 1e-6, g);
        var proj = patch_embed.Proj;
        var patchBound = Math.Sqrt(6.0 / (proj.in_channels * Size.Patch * Size.Patch + Size.Dim));
        init.uniform_(proj.weight, -patchBound, patchBound, g);
        init.zeros_(proj.bias!);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var patches = patch_embed.forward(input);
        var cls = cls_token.expand(patches.size(0), -1, -1);
        var x = torch.cat(new[] { cls, patches }, 1) + pos_embed;
        foreach (var block in blocks) x = block.forward(x);
        // LayerNorm acts on each token alone, so norming the class token only equals the reference's norm(x)[:, 0].
        var first = x.select(1, 0);
        return scope.MoveToOuter(norm.forward(first));
    }

    protected override void CountBackbone(CostCounter c)
    {
        if (c.H != ImageSize || c.W != ImageSize)
            throw new ArgumentException(
                $"{Arch} is built for {ImageSize}x{ImageSize} inputs (one position embedding entry per patch), not {c.H}x{c.W}; " +
                $"build it with ModelOptions.ImageSize = {c.H} to count that size.");
        c.Add(patch_embed.Proj);
        var tokens = c.H * c.W + 1;
        c.Add(cls_token.numel() + pos_embed.numel(), 0);
        foreach (var block in blocks) block.CountCost(c, tokens);
        c.Add(2 * Size.Dim, 0);
    }

    public override string extra_repr() =>
        $"arch={Arch}, image={ImageSize}, patch={Size.Patch}, dim={Size.Dim}, depth={Size.Depth}, heads={Size.Heads}, width={Width}";
}

/// <summary>
/// MoCo v3's fixed 2-D sin-cos position embedding (science.md 1.4), [1, 1 + G², D]: a zero row for
/// the class token, then for patch k the features [sin(a·ω), cos(a·ω), sin(b·ω), cos(b·ω)] with
/// a = k / G, b = k mod G (the reference's meshgrid order) and ω_i = 10000^(-i / (D/4)), i &lt; D/4,
/// computed in float32 as the reference.
/// </summary>
public static class SinCosPositionEmbedding
{
    public static Tensor Build(int grid, int dim, double temperature = 10000)
    {
        if (grid < 1 || dim < 4 || dim % 4 != 0)
            throw new ArgumentException($"A sin-cos position embedding needs a positive grid and a width divisible by 4, got grid {grid}, width {dim}.");
        using var scope = torch.NewDisposeScope();
        var quarter = dim / 4;
        var omega = torch.pow(temperature, torch.arange(quarter, dtype: torch.float32) / quarter).reciprocal();
        var k = torch.arange(grid * grid, dtype: torch.int64);
        var a = k.floor_divide(grid).to(torch.float32);
        var b = k.remainder(grid).to(torch.float32);
        var outA = torch.einsum("m,d->md", a, omega);
        var outB = torch.einsum("m,d->md", b, omega);
        var patches = torch.cat(new[] { outA.sin(), outA.cos(), outB.sin(), outB.cos() }, 1);
        var table = torch.cat(new[] { torch.zeros(1, dim), patches }, 0).unsqueeze(0);
        return scope.MoveToOuter(table);
    }
}
