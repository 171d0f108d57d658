using Xunit.Abstractions;
using ops = US3L.Torch.torchvision.ops;

namespace US3L.Torch.Tests;

/// <summary>Runs reference/vision_ops_parity.py: torchvision 0.14's ops on seeded inputs.</summary>
public sealed class VisionOpsParityFixture() : PyTorchParityFixture("vision_ops_parity.py");

/// <summary>
/// torchvision.ops against torchvision 0.14 on the same libtorch: RoIAlign's output and input
/// gradient (aligned and legacy, several sampling ratios and scales, boxes partly outside the map,
/// degenerate boxes), NMS and batched NMS index for index (ties included, both batched strategies),
/// and the box ops. float32 cases must agree to 1e-4, float64 cases to 1e-10.
/// </summary>
public class VisionOpsTests(VisionOpsParityFixture fixture, ITestOutputHelper log) : IClassFixture<VisionOpsParityFixture>
{
    private static readonly Dictionary<string, Func<ParityCall, Tensor>> Ops = new()
    {
        ["roi_align"] = c => ops.roi_align(c["input"], c["boxes"], c.Pair("output_size")!.Value, c.Double("spatial_scale", 1),
            c.Long("sampling_ratio", -1), c.Bool("aligned", false)),
        ["roi_align_list"] = c => ops.roi_align(c["input"], new[] { c["boxes_0"], c["boxes_1"] }, c.Pair("output_size")!.Value,
            c.Double("spatial_scale", 1), c.Long("sampling_ratio", -1), c.Bool("aligned", false)),
        ["nms"] = c => ops.nms(c["boxes"], c["scores"], c.Double("iou_threshold", 0)),
        ["batched_nms"] = c => ops.batched_nms(c["boxes"], c["scores"], c["idxs"], c.Double("iou_threshold", 0)),
        ["box_iou"] = c => ops.box_iou(c["boxes1"], c["boxes2"]),
        ["box_area"] = c => ops.box_area(c["boxes"]),
        ["clip_boxes_to_image"] = c => ops.clip_boxes_to_image(c["boxes"], (c.Longs("size")[0], c.Longs("size")[1])),
        ["remove_small_boxes"] = c => ops.remove_small_boxes(c["boxes"], c.Double("min_size", 0)),
    };

    public static TheoryData<string> OpNames => new(Ops.Keys.Order());

    [Theory]
    [MemberData(nameof(OpNames))]
    public void MatchesTorchvision(string op)
    {
        var cases = fixture.Data.Cases.Where(c => c.Op == op).ToList();
        Assert.True(cases.Count > 0, $"the reference script has no case for {op}");
        foreach (var c in cases) CheckCase(c);
    }

    [Fact]
    public void EveryReferenceCaseHasAnOp()
    {
        Assert.Empty(fixture.Data.Cases.Where(c => !Ops.ContainsKey(c.Op)).Select(c => $"{c.Name} ({c.Op})"));
        // Both strategies of batched NMS and both RoIAlign modes in both precisions are covered.
        var names = fixture.Data.Cases.Select(c => c.Name).ToHashSet();
        Assert.Empty(new[] { "batched_nms_300_ties", "batched_nms_1500_ties", "roi_align_f32_aligned_s1_sr2", "roi_align_f32_legacy_s025_sr3",
            "roi_align_f64_aligned_s05_adaptive", "roi_align_f64_legacy_s025_adaptive_big" }.Except(names));
    }

    [Fact]
    public void RoiAlignGradientMatchesFiniteDifferences()
    {
        using var scope = torch.NewDisposeScope();
        var input = TensorAssert.Randn(3, 2, 2, 6, 7);
        var rois = torch.tensor(new double[]
        {
            0, 0.3, 0.9, 4.6, 5.2,
            1, -1.5, 2.0, 3.1, 7.5,
            1, 2.2, 1.1, 2.9, 1.4,
        }, 3, 5);
        foreach (var aligned in new[] { false, true })
            foreach (var sampling in new long[] { -1, 2 })
                GradCheck.Check(x => ops.roi_align(x[0], rois, (3, 2), 1.0, sampling, aligned), new[] { input });
    }

    [Fact]
    public void RoiAlignRejectsAnImageIndexOutsideTheBatch()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.zeros(2, 1, 4, 4);
        var rois = torch.tensor(new float[] { 2, 0, 0, 2, 2 }, 1, 5);
        var e = Assert.Throws<TorchException>(() => ops.roi_align(input, rois, 2));
        Assert.Contains("roi_align", e.Message);
        Assert.Contains("image indices in [0, 2)", e.Message);
    }

    [Fact]
    public void NmsKeepsNothingFromNoBoxes()
    {
        using var scope = torch.NewDisposeScope();
        var keep = ops.batched_nms(torch.zeros(0, 4), torch.zeros(0), torch.zeros(new long[] { 0 }, ScalarType.Int64), 0.5);
        Assert.Equal(new long[] { 0 }, keep.shape);
        Assert.Equal(ScalarType.Int64, keep.dtype);
    }

    private void CheckCase(ParityCase c)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = c.ReadInputs();
        foreach (var name in c.RequiresGrad) inputs[name].requires_grad_(true);
        var output = Ops[c.Op](new ParityCall(inputs, c.Kwargs));
        var expected = c.ReadOutput();
        if (expected.dtype == ScalarType.Int64)
        {
            Assert.Equal(expected.ToArray<long>(), output.to(ScalarType.Int64).ToArray<long>());
            log.WriteLine($"{c.Name}: {expected.numel()} indices identical");
            return;
        }
        Assert.Equal(expected.dtype, output.dtype);
        var tol = expected.dtype == ScalarType.Float32 ? 1e-4 : 1e-10;
        var error = MaxError(c, "output", expected, output, tol);
        var gradError = 0.0;
        if (c.RequiresGrad.Count > 0)
        {
            (output * c.ReadGradOutput()).sum().backward();
            foreach (var (name, grad) in c.ReadGrads())
            {
                var actual = inputs[name].grad;
                Assert.True(actual is not null, $"{c.Name}: no gradient reached input '{name}'");
                gradError = Math.Max(gradError, MaxError(c, $"gradient of '{name}'", grad, actual, tol));
            }
        }
        log.WriteLine($"{c.Name}: max |error| output {error:E2}, gradient {gradError:E2}");
    }

    private static double MaxError(ParityCase c, string what, Tensor expected, Tensor actual, double tol)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{c.Name}: {what} has shape {Tensor.ShapeString(actual.shape)}, torchvision's {Tensor.ShapeString(expected.shape)}");
        var e = expected.to(ScalarType.Float64).ToArray<double>();
        var a = actual.to(ScalarType.Float64).ToArray<double>();
        var worst = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            var d = Math.Abs(e[i] - a[i]);
            Assert.True(d <= tol, $"{c.Name}: {what}[{i}] = {a[i]:G9}, torchvision {e[i]:G9} (tolerance {tol:G2})");
            worst = Math.Max(worst, d);
        }
        return worst;
    }
}
