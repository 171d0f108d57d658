using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using US3L.Detection;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Torch.Serialization;

namespace US3L.Tests.Detection;

/// <summary>
/// The kit's Mask R-CNN against torchvision 0.14's on the same weights and inputs
/// (reference/maskrcnn_parity.py): RPN proposals and postprocessed detections with pasted masks in
/// eval mode, then the five training losses (the random samplers drawing from the same seed) and the
/// gradients of their sum. The kit's detector runs the slimmable mini US-ResNet at a width; torchvision's
/// runs a plain ResNet of that width's channel counts loaded from the kit's fixed-width state_dict.
/// </summary>
public class MaskRcnnParityTests
{
    private const long SamplerSeed = 123;

    private static readonly string[] GradNames =
    {
        "backbone.body.conv1.weight", "backbone.body.layer2.0.bn1.weight", "backbone.body.layer4.0.downsample.0.weight",
        "backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.layer_blocks.2.0.bias", "rpn.head.conv.0.0.weight", "rpn.head.bbox_pred.weight",
        "roi_heads.box_head.fc6.weight", "roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.bbox_pred.bias",
        "roi_heads.mask_head.0.0.weight", "roi_heads.mask_predictor.conv5_mask.weight", "roi_heads.mask_predictor.mask_fcn_logits.bias",
    };

    /// <summary>Small sizes for a 64-pixel input; the sampler sizes are below the candidates so the random draws matter.</summary>
    internal static MaskRcnnOptions SmallOptions() => new()
    {
        ObjectClasses = 3, MinSize = new[] { 64 }, MaxSize = 100, ImageMean = new[] { 0.4 }, ImageStd = new[] { 0.3 },
        FpnChannels = 32, AnchorSizes = new[] { new[] { 8.0 }, new[] { 16.0 }, new[] { 32.0 }, new[] { 64.0 }, new[] { 128.0 } },
        RpnPreNmsTopNTrain = 300, RpnPreNmsTopNTest = 200, RpnPostNmsTopNTrain = 120, RpnPostNmsTopNTest = 60,
        RpnBatchSizePerImage = 64, BoxBatchSizePerImage = 48, RepresentationSize = 64, MaskLayers = new[] { 32, 32 }, MaskDimReduced = 16,
        BoxScoreThresh = 0.2, DetectionsPerImage = 20,
    };

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void ProposalsDetectionsLossesAndGradientsMatchTorchvision(double width)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        var options = SmallOptions();
        var backbone = ModelRegistry.Create("us_resnet10_mini", new ModelOptions { InChannels = 1, Seed = 3 });
        using var model = new MaskRcnn(backbone, width, options, seed: 4);
        using var g = new Generator(5);
        BnCalibration.Calibrate(backbone, width, new[] { torch.randn(new long[] { 6, 1, 64, 64 }, generator: g) });
        Sharpen(model, g);
        var (images, targets) = Inputs(g);

        var weights = Path.Combine(dir.Path, "weights.safetensors");
        var inputs = Path.Combine(dir.Path, "inputs.safetensors");
        var outputs = Path.Combine(dir.Path, "outputs.safetensors");
        var state = model.FixedWidthStateDict();
        Safetensors.Save(weights, state, new Dictionary<string, string> { ["config"] = ConfigJson(options, images.Length) });
        foreach (var t in state.Values) t.Dispose();
        var io = new Dictionary<string, Tensor>();
        for (var i = 0; i < images.Length; i++)
        {
            io[$"image_{i}"] = images[i];
            io[$"boxes_{i}"] = targets[i].Boxes;
            io[$"labels_{i}"] = targets[i].Labels;
            io[$"masks_{i}"] = targets[i].Masks.to(ScalarType.Int64);
        }
        Safetensors.Save(inputs, io);
        RunPython(weights, inputs, outputs);
        var (reference, _) = Safetensors.Load(outputs);

        model.eval();
        var (proposals, _) = model.Proposals(images);
        var detections = model.Detect(images);
        for (var i = 0; i < images.Length; i++)
        {
            Close(reference[$"proposals_{i}"], proposals[i], 1e-4, $"proposals of image {i}");
            Assert.True(detections[i].Count > 0, $"image {i} has no detections to compare");
            TensorAssert.Equal(reference[$"det_labels_{i}"].ToArray<long>(), detections[i].Labels);
            Close(reference[$"det_boxes_{i}"], detections[i].Boxes, 1e-4, $"detected boxes of image {i}");
            Close(reference[$"det_scores_{i}"], detections[i].Scores, 1e-5, $"scores of image {i}");
            Close(reference[$"det_masks_{i}"], detections[i].Masks, 1e-4, $"pasted masks of image {i}");
            detections[i].Dispose();
        }

        model.train();
        model.Generator = new Generator(SamplerSeed);
        using var losses = model.Losses(images, targets);
        var values = losses.Values();
        foreach (var (name, value) in values)
        {
            var expected = reference[name].item<float>();
            Assert.True(Math.Abs(expected - value) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{name}: torchvision {expected}, kit {value}");
        }
        Assert.True(values["loss_mask"] > 0 && values["loss_box_reg"] > 0, "the batch must have positive proposals for the box and mask losses");
        losses.Total.backward();
        var parameters = model.named_parameters().ToDictionary(e => e.name, e => e.parameter);
        foreach (var name in GradNames)
        {
            var expected = reference["grad." + name];
            var grad = parameters[name].grad ?? throw new InvalidOperationException($"{name} has no gradient");
            for (var d = 0; d < expected.dim(); d++) grad = grad.narrow(d, 0, expected.size(d));
            Close(expected, grad, 2e-4, $"gradient of {name}");
        }
        model.Generator.Dispose();
        foreach (var t in reference.Values) t.Dispose();
        foreach (var t in targets) t.Dispose();
    }

    /// <summary>Larger head weights than the init's N(0, 0.01²) so that objectness and class scores spread out.</summary>
    internal static void Sharpen(MaskRcnn model, Generator g)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("rpn.head.", StringComparison.Ordinal) || name.StartsWith("roi_heads.box_predictor.", StringComparison.Ordinal))
                p.normal_(0, 0.1, g);
    }

    /// <summary>Two images, one at the min size and one that the transform resizes, with three and two objects.</summary>
    internal static (Tensor[] Images, DetectionTarget[] Targets) Inputs(Generator g)
    {
        var sizes = new[] { (64, 64), (48, 56) };
        var boxes = new[]
        {
            new float[] { 4, 6, 30, 40, 20, 18, 60, 50, 33, 2, 52, 25 },
            new float[] { 5, 5, 30, 28, 24, 14, 54, 46 },
        };
        var labels = new[] { new long[] { 1, 3, 2 }, new long[] { 2, 2 } };
        var images = new Tensor[2];
        var targets = new DetectionTarget[2];
        for (var i = 0; i < 2; i++)
        {
            var (h, w) = sizes[i];
            var n = labels[i].Length;
            images[i] = torch.rand(new long[] { 1, h, w }, generator: g).DetachFromDisposeScope();
            var b = torch.tensor(boxes[i], n, 4);
            var masks = torch.zeros(new long[] { n, h, w }, ScalarType.UInt8);
            for (var k = 0; k < n; k++)
            {
                var (x1, y1, x2, y2) = ((int)boxes[i][4 * k], (int)boxes[i][4 * k + 1], (int)boxes[i][4 * k + 2], (int)boxes[i][4 * k + 3]);
                var inside = torch.rand(new long[] { y2 - y1, x2 - x1 }, generator: g).gt(0.3).to(ScalarType.UInt8);
                masks[k].narrow(0, y1, y2 - y1).narrow(1, x1, x2 - x1).copy_(inside);
            }
            targets[i] = new DetectionTarget(i, b, torch.tensor(labels[i], n), masks, torch.zeros(new long[] { n }, ScalarType.Int64),
                torch.ones(new long[] { n }));
        }
        return (images, targets);
    }

    private static string ConfigJson(MaskRcnnOptions o, int images) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["images"] = images, ["seed"] = SamplerSeed, ["imagenet"] = false, ["num_classes"] = o.NumClasses,
        ["min_size"] = o.MinSize, ["max_size"] = o.MaxSize, ["image_mean"] = o.ImageMean, ["image_std"] = o.ImageStd,
        ["returned_layers"] = o.ReturnedLayers, ["fpn_channels"] = o.FpnChannels, ["anchor_sizes"] = o.AnchorSizes, ["aspect_ratios"] = o.AspectRatios,
        ["rpn_pre_nms_top_n_train"] = o.RpnPreNmsTopNTrain, ["rpn_pre_nms_top_n_test"] = o.RpnPreNmsTopNTest,
        ["rpn_post_nms_top_n_train"] = o.RpnPostNmsTopNTrain, ["rpn_post_nms_top_n_test"] = o.RpnPostNmsTopNTest,
        ["rpn_batch_size_per_image"] = o.RpnBatchSizePerImage, ["box_batch_size_per_image"] = o.BoxBatchSizePerImage,
        ["representation_size"] = o.RepresentationSize, ["box_score_thresh"] = o.BoxScoreThresh, ["detections_per_image"] = o.DetectionsPerImage,
        ["mask_layers"] = o.MaskLayers, ["mask_dim_reduced"] = o.MaskDimReduced, ["grads"] = GradNames,
    });

    private static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: torchvision {"[" + string.Join(", ", expected.shape) + "]"}, kit {"[" + string.Join(", ", actual.shape) + "]"}");
        if (expected.numel() == 0) return;
        var e = expected.to(ScalarType.Float64);
        var scale = Math.Max(1, e.abs().max().item<double>());
        var diff = (e - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff <= tol * scale, $"{what}: max |difference| {diff.ToString("G4", CultureInfo.InvariantCulture)} (scale {scale:G4})");
    }

    private static void RunPython(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reference", "maskrcnn_parity.py"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"maskrcnn_parity.py failed ({p.ExitCode}): {stderr.Result}");
    }
}
