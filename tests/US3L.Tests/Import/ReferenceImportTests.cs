using US3L.Heads;
using US3L.Import;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Tests.Import;

/// <summary>
/// Checkpoints written by the official code's models (transcribed in reference/reference_checkpoints.py)
/// and by torchvision, imported into the kit: the kit model then computes what the PyTorch model
/// computed on the same input, at widths 1.0 and 0.5 (science.md 6.6).
/// </summary>
[Collection(ReferenceCheckpointCollection.Name)]
public class ReferenceImportTests(ReferenceCheckpoints checkpoints)
{
    /// <summary>
    /// Both sides run in float64 from the same float32 weights, so what differs is the mapping, not
    /// rounding (in float32, PyTorch's MobileNetV2 features differ by 1.25e-5 between 1 and 2 threads).
    /// </summary>
    private const double Tolerance = 1e-9;

    /// <summary>The kit model a reference checkpoint was written for (the test ResNet uses stage widths 16-128 to stay small).</summary>
    private static (string Arch, ModelOptions Options) KitModel(string model) => model switch
    {
        "resnet" => ("us_cifar_resnet18", new ModelOptions { StageWidths = new[] { 16, 32, 64, 128 } }),
        "mobilenet" => ("us_cifar_mobilenetv2", new ModelOptions()),
        "mini" => ("us_resnet10_mini", ModelRegistry.MiniOptions()),
        _ => throw new ArgumentException(model),
    };

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(ScalarType.Float64, actual.dtype);
        var diff = (expected - actual).abs().max().item<double>();
        Assert.True(diff <= Tolerance, $"{what}: max |difference| {diff} exceeds {Tolerance}");
    }

    private static string Key(string what, double width) => FormattableString.Invariant($"{what}_{width:0.0}");

    private static Dictionary<string, Tensor> Under(ImportResult result, string prefix) =>
        result.Tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);

    [Theory]
    [InlineData("resnet", "zip")]
    [InlineData("resnet", "legacy")]
    [InlineData("mobilenet", "zip")]
    [InlineData("mobilenet", "legacy")]
    public void TheKitComputesWhatTheReferenceModelComputed(string model, string format)
    {
        using var scope = torch.NewDisposeScope();
        var (arch, options) = KitModel(model);
        var path = checkpoints.PathOf($"{model}.{format}.pth.tar");
        using var result = CheckpointImporter.Import(path, new ImportOptions { Arch = arch, Model = options, KeepHeads = true });

        Assert.Equal(arch, result.CheckpointArch);
        Assert.Equal(7L, result.Epoch);
        Assert.Equal("encoder_q.", result.Encoder);
        Assert.Empty(result.Missing);
        Assert.Empty(result.MissingStatistics);
        Assert.Empty(result.Unexpected);
        Assert.All(result.Loaded, l => Assert.StartsWith("module.", l.From));
        // The teacher is dropped whole; the reference's head BNs keep running statistics the kit's heads do not.
        var teacherKeys = result.Loaded.Count(l => l.From.StartsWith("module.encoder_q.", StringComparison.Ordinal)) +
                          result.Dropped.Count(d => d.Key.StartsWith("module.encoder_q.", StringComparison.Ordinal));
        Assert.Equal(teacherKeys, result.Dropped.Count(d => d.Reason.StartsWith("teacher", StringComparison.Ordinal)));
        Assert.All(result.Dropped.Where(d => !d.Reason.StartsWith("teacher", StringComparison.Ordinal)),
            d => Assert.Matches(@"\.(running_mean|running_var|num_batches_tracked)$", d.Key));
        // The ResNets share torchvision's names with the kit; the MobileNetV2 blocks are renamed (body -> conv).
        // MobileNetV2: 16 expanded blocks of 3 convs and 3 BNs (γ, β) and the t = 1 block of 2 and 2.
        Assert.Equal(model == "resnet" ? 0 : 16 * 9 + 6, result.Renamed);

        var expected = checkpoints.Expected(model);
        var x = expected["input"];
        using var backbone = ModelRegistry.Create(arch, options);
        foreach (var (name, m) in backbone.named_modules())
            if (m is BatchNormBase bn && result.Tensors.ContainsKey($"backbone.{name}.running_mean")) bn.CreateRunningStats();
        backbone.load_state_dict(Under(result, "backbone."));
        using var projector = MlpHeads.Projector(backbone.FeatureDim(1.0), 64, 32, slimInput: backbone is USResNet);
        projector.load_state_dict(Under(result, "projector."));
        using var predictor = MlpHeads.Predictor(32, 64, 32);
        predictor.load_state_dict(Under(result, "predictor."));  // strict: every predictor tensor has its place
        backbone.to(ScalarType.Float64);
        projector.to(ScalarType.Float64);

        backbone.eval();
        using var noGrad = torch.no_grad();
        ReferenceCheckpointCollection.SingleThreaded(() =>
        {
            foreach (var w in new[] { 1.0, 0.5 })
                AssertClose(expected[Key("features", w)], backbone.SetWidth(w).forward(x), $"{model}.{format} features at width {w}");
            // Train mode: every BN normalises with the batch's statistics, in the kit's heads as in the reference's.
            backbone.train();
            projector.train();
            foreach (var w in new[] { 1.0, 0.5 })
            {
                backbone.SetWidth(w);
                projector.SetWidth(w);
                AssertClose(expected[Key("projector", w)], projector.forward(backbone.forward(x)), $"{model}.{format} projector at width {w}");
            }
        });
    }

    [Fact]
    public void TheTeacherIsImportedOnRequest()
    {
        using var scope = torch.NewDisposeScope();
        var (arch, options) = KitModel("resnet");
        using var result = CheckpointImporter.Import(checkpoints.PathOf("resnet.zip.pth.tar"),
            new ImportOptions { Arch = arch, Model = options, Teacher = true, KeepHeads = true });
        Assert.Equal("encoder_k.", result.Encoder);
        Assert.All(result.Loaded, l => Assert.StartsWith("module.encoder_k.", l.From));
        Assert.Contains(("module.encoder_k.fc.0.weight", "projector.0.weight"), result.Loaded);
        Assert.Contains(result.Dropped, d => d.Reason == "online encoder (encoder_q.*)");
        // predictor and predictor_new (5 parameters and 3 BN statistics each) are the online network's.
        Assert.Equal(16, result.Dropped.Count(d => d.Reason == "online predictor (the teacher has none)"));
        Assert.Empty(result.Missing);
        var expected = checkpoints.Expected("resnet");
        using var backbone = ModelRegistry.Create(arch, options);
        backbone.load_state_dict(Under(result, "backbone."));
        backbone.to(ScalarType.Float64).eval();
        using (torch.no_grad())
            ReferenceCheckpointCollection.SingleThreaded(() => AssertClose(expected["teacher_features_1.0"], backbone.forward(expected["input"]), "teacher features"));
    }

    [Fact]
    public void TorchvisionResNet18LoadsWithItsRunningStatistics()
    {
        using var scope = torch.NewDisposeScope();
        using var result = CheckpointImporter.Import(checkpoints.PathOf("torchvision.pth"), new ImportOptions { Arch = "us_resnet18" });
        Assert.Equal(CheckpointLayout.Plain.Name, result.Layout);
        Assert.Null(result.Epoch);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, result.Dropped.Select(d => d.Key));
        Assert.All(result.Dropped, d => Assert.StartsWith("classifier", d.Reason));
        Assert.Empty(result.Missing);
        Assert.Empty(result.Unexpected);
        Assert.Equal(result.CheckpointTensors - 2, result.Loaded.Count);
        Assert.Equal(0, result.Renamed);

        var expected = checkpoints.Expected("torchvision");
        using var backbone = ModelRegistry.Create("us_resnet18");
        foreach (var bn in backbone.modules().OfType<BatchNormBase>()) bn.CreateRunningStats();
        backbone.load_state_dict(result.Tensors);
        backbone.to(ScalarType.Float64).eval();
        using (torch.no_grad())
            ReferenceCheckpointCollection.SingleThreaded(() => AssertClose(expected["features_1.0"], backbone.forward(expected["input"]), "torchvision resnet18 features"));
    }

    [Fact]
    public void AShapeMismatchNamesTheKeyAndBothShapes()
    {
        var path = checkpoints.PathOf("resnet.zip.pth.tar");
        var e = Assert.Throws<InvalidDataException>(() => CheckpointImporter.Import(path, new ImportOptions { Arch = "us_cifar_resnet18" }));
        Assert.Equal($"'{path}': module.encoder_q.conv1.weight has shape [16, 3, 3, 3], but us_cifar_resnet18's conv1.weight has [64, 3, 3, 3] " +
                     "(59 more mismatch(es)); is --arch right?", e.Message);
    }

    [Fact]
    public void TheReferenceMobileNetV2BlocksMapToTorchvisionNames()
    {
        var keys = new[]
        {
            "features.0.0.weight", "features.0.1.bias",
            "features.1.body.0.weight", "features.1.body.1.weight", "features.1.body.3.weight", "features.1.body.4.bias",
            "features.2.body.0.weight", "features.2.body.1.bias", "features.2.body.3.weight", "features.2.body.4.weight",
            "features.2.body.6.weight", "features.2.body.7.weight",
            "features.18.0.weight", "features.18.1.running_var",
        };
        var kit = ReferenceNames.ToKit(keys, mobileNetV2: true);
        Assert.Equal(new[]
        {
            "features.0.0.weight", "features.0.1.bias",
            "features.1.conv.0.0.weight", "features.1.conv.0.1.weight", "features.1.conv.1.weight", "features.1.conv.2.bias",
            "features.2.conv.0.0.weight", "features.2.conv.0.1.bias", "features.2.conv.1.0.weight", "features.2.conv.1.1.weight",
            "features.2.conv.2.weight", "features.2.conv.3.weight",
            "features.18.0.weight", "features.18.1.running_var",
        }, keys.Select(k => kit[k]));
        // ResNets keep their names.
        Assert.Equal("layer1.0.downsample.0.weight", ReferenceNames.ToKit(new[] { "layer1.0.downsample.0.weight" }, mobileNetV2: false)["layer1.0.downsample.0.weight"]);
    }

    [Fact]
    public void WrapperLayoutsAreRecognisedByTheirOnlinePrefix()
    {
        Assert.Equal("encoder_q.", CheckpointLayout.Detect(new[] { "encoder_k.conv1.weight", "encoder_q.conv1.weight" }).Online);
        Assert.Equal("base_encoder.", CheckpointLayout.Detect(new[] { "base_encoder.conv1.weight", "momentum_encoder.conv1.weight" }).Online);
        Assert.Same(CheckpointLayout.Plain, CheckpointLayout.Detect(new[] { "conv1.weight", "fc.weight" }));
        Assert.Equal("conv1.weight", CheckpointLayout.StripDdp("module.module.conv1.weight"));
        var reference = CheckpointLayout.Known[0];
        Assert.Equal((TensorRole.OtherEncoder, "conv1.weight"), reference.Classify("encoder_k.conv1.weight", useOther: false));
        Assert.Equal((TensorRole.Backbone, "conv1.weight"), reference.Classify("encoder_k.conv1.weight", useOther: true));
        Assert.Equal((TensorRole.AuxHead, "0.weight"), reference.Classify("predictor_new.0.weight", useOther: false));
        Assert.Equal((TensorRole.TrainingState, "_ptr"), reference.Classify("queue_ptr", useOther: false));
        Assert.Equal((TensorRole.Unknown, "something.else"), reference.Classify("something.else", useOther: false));
    }
}
