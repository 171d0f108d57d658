using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

/// <summary>
/// torch.nn.functional against PyTorch on the same libtorch: for every reference case of
/// reference/functional_parity.py, the forward output, the input gradients of sum(out * w) and the
/// inputs updated in place (batch-norm running statistics) must agree in float64.
/// </summary>
public class PyTorchParityTests(PyTorchParityFixture fixture) : IClassFixture<PyTorchParityFixture>
{
    // Same kernels in the same precision: differences come only from summation order.
    private const double Atol = 1e-12;
    private const double Rtol = 1e-10;

    /// <summary>How each reference op is called through our API, with the case's keyword arguments.</summary>
    private static readonly Dictionary<string, Func<ParityCall, Tensor>> Ops = new()
    {
        ["conv2d"] = c => c.IsString("padding")
            ? F.conv2d(c["input"], c["weight"], c.Str("padding", "valid"), c.Opt("bias"), c.Pair("stride"), c.Pair("dilation"), c.Long("groups", 1))
            : F.conv2d(c["input"], c["weight"], c.Opt("bias"), c.Pair("stride"), c.Pair("padding"), c.Pair("dilation"), c.Long("groups", 1)),
        ["conv_transpose2d"] = c => F.conv_transpose2d(c["input"], c["weight"], c.Opt("bias"), c.Pair("stride"), c.Pair("padding"),
            c.Pair("output_padding"), c.Long("groups", 1), c.Pair("dilation")),
        ["linear"] = c => F.linear(c["input"], c["weight"], c.Opt("bias")),
        ["batch_norm"] = c => F.batch_norm(c["input"], c.Opt("running_mean"), c.Opt("running_var"), c.Opt("weight"), c.Opt("bias"),
            c.Bool("training", false), c.Double("momentum", 0.1), c.Double("eps", 1e-5)),
        ["layer_norm"] = c => F.layer_norm(c["input"], c.Longs("normalized_shape"), c.Opt("weight"), c.Opt("bias"), c.Double("eps", 1e-5)),
        ["group_norm"] = c => F.group_norm(c["input"], c.Long("num_groups", 0), c.Opt("weight"), c.Opt("bias"), c.Double("eps", 1e-5)),
        ["normalize"] = c => F.normalize(c["input"], c.Double("p", 2), c.Long("dim", 1), c.Double("eps", 1e-12)),
        ["cosine_similarity"] = c => F.cosine_similarity(c["x1"], c["x2"], c.Long("dim", 1), c.Double("eps", 1e-8)),
        ["max_pool2d"] = c => F.max_pool2d(c["input"], c.Pair("kernel_size")!.Value, c.Pair("stride"), c.Pair("padding"), c.Pair("dilation"),
            c.Bool("ceil_mode", false)),
        ["avg_pool2d"] = c => F.avg_pool2d(c["input"], c.Pair("kernel_size")!.Value, c.Pair("stride"), c.Pair("padding"), c.Bool("ceil_mode", false),
            c.Bool("count_include_pad", true), c.OptLong("divisor_override")),
        ["adaptive_avg_pool2d"] = c => F.adaptive_avg_pool2d(c["input"], c.Pair("output_size")!.Value),
        ["interpolate"] = c => F.interpolate(c["input"], c.Pair("size"), c.Doubles("scale_factor"), c.Str("mode", "nearest"), c.OptBool("align_corners")),
        ["grid_sample"] = c => F.grid_sample(c["input"], c["grid"], c.Str("mode", "bilinear"), c.Str("padding_mode", "zeros"), c.OptBool("align_corners")),
        ["affine_grid"] = c => F.affine_grid(c["theta"], c.Longs("size"), c.OptBool("align_corners")),
        ["pad"] = c => F.pad(c["input"], c.Longs("pad"), c.Str("mode", "constant"), c.Double("value", 0)),
        ["softmax"] = c => F.softmax(c["input"], c.Long("dim", -1)),
        ["log_softmax"] = c => F.log_softmax(c["input"], c.Long("dim", -1)),
        ["gelu"] = c => F.gelu(c["input"], c.Str("approximate", "none")),
        ["leaky_relu"] = c => F.leaky_relu(c["input"], c.Double("negative_slope", 0.01)),
        ["hardswish"] = c => F.hardswish(c["input"]),
        ["silu"] = c => F.silu(c["input"]),
        ["cross_entropy"] = c => F.cross_entropy(c["input"], c["target"], c.Opt("weight"), c.Long("ignore_index", -100), c.Str("reduction", "mean"),
            c.Double("label_smoothing", 0)),
        ["nll_loss"] = c => F.nll_loss(c["input"], c["target"], c.Opt("weight"), c.Long("ignore_index", -100), c.Str("reduction", "mean")),
        ["mse_loss"] = c => F.mse_loss(c["input"], c["target"], c.Str("reduction", "mean")),
        ["smooth_l1_loss"] = c => F.smooth_l1_loss(c["input"], c["target"], c.Str("reduction", "mean"), c.Double("beta", 1)),
        ["binary_cross_entropy_with_logits"] = c => F.binary_cross_entropy_with_logits(c["input"], c["target"], c.Opt("weight"),
            c.Str("reduction", "mean"), c.Opt("pos_weight")),
        ["kl_div"] = c => F.kl_div(c["input"], c["target"], c.Str("reduction", "mean"), c.Bool("log_target", false)),
    };

    public static TheoryData<string> OpNames => new(Ops.Keys.Order());

    [Theory]
    [MemberData(nameof(OpNames))]
    public void MatchesPyTorch(string op)
    {
        var cases = fixture.Data.Cases.Where(c => c.Op == op).ToList();
        Assert.True(cases.Count > 0, $"the reference script has no case for {op}");
        foreach (var c in cases) CheckCase(c);
    }

    [Fact]
    public void EveryReferenceCaseHasAnOpAndTheRequiredCasesExist()
    {
        var cases = fixture.Data.Cases;
        Assert.Empty(cases.Where(c => !Ops.ContainsKey(c.Op)).Select(c => $"{c.Name} ({c.Op})"));
        string[] required =
        {
            "conv2d_groups_stride_dilation", "batch_norm_train", "batch_norm_eval", "interpolate_bilinear_size", "interpolate_bilinear_scale_align",
            "interpolate_bicubic_size", "interpolate_bicubic_scale_align", "interpolate_nearest_size", "grid_sample_bilinear_zeros",
            "cross_entropy_weight_ignore_smoothing", "normalize",
        };
        Assert.Empty(required.Except(cases.Select(c => c.Name)));
        // The running-statistics update of training-mode batch norm is compared too.
        Assert.Contains("running_mean", cases.Single(c => c.Name == "batch_norm_train").ReadAfter().Keys);
    }

    private static void CheckCase(ParityCase c)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = c.ReadInputs();
        foreach (var name in c.RequiresGrad) inputs[name].requires_grad_(true);
        var output = Ops[c.Op](new ParityCall(inputs, c.Kwargs));
        AssertClose(c, "output", c.ReadOutput(), output);
        foreach (var (name, expected) in c.ReadAfter())
            AssertClose(c, $"{name} after the call", expected, inputs[name]);

        (output * c.ReadGradOutput()).sum().backward();
        foreach (var (name, expected) in c.ReadGrads())
        {
            var actual = inputs[name].grad;
            Assert.True(actual is not null, $"{c.Name}: no gradient reached input '{name}'");
            AssertClose(c, $"gradient of '{name}'", expected, actual);
        }
    }

    private static void AssertClose(ParityCase c, string what, Tensor expected, Tensor actual)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{c.Name}: {what} has shape {Tensor.ShapeString(actual.shape)}, PyTorch {Tensor.ShapeString(expected.shape)}");
        Assert.Equal(ScalarType.Float64, actual.dtype);
        var e = expected.ToArray<double>();
        var a = actual.detach().contiguous().ToArray<double>();
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= Atol + Rtol * Math.Abs(e[i]),
                $"{c.Name}: {what}, element {i}: ours {a[i]:R}, PyTorch {e[i]:R}");
    }
}
