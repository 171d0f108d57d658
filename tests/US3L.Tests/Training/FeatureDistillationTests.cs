using US3L.Heads;
using US3L.Methods;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch.Serialization;
using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>
/// The feature_distill switch (science.md 3.7) in the training loop: the same seeded iteration with
/// the switch off and on. The max-width step is untouched; the sub-network step adds the feature
/// loss, which reaches the early backbone layers and trains the adapters. The adapters are online
/// parameters: optimized, checkpointed, not regularized, absent from the teacher and from an off run.
/// Exactness against the reference's code is <see cref="IterationParityTests"/>' feature-distillation arms.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public class FeatureDistillationTests
{
    private static readonly double[] Widths = { 1.0, 0.5 };

    private static PretrainConfig Config(bool featureDistill) =>
        TinyRuns.Config with { FeatureDistill = featureDistill, GroupReg = true, TrainSubset = 32, BatchSize = 16, MonitorEvery = 1000 };

    /// <summary>One iteration at <see cref="Widths"/> on fixed views: per step, the loss and a copy of every gradient.</summary>
    private static (IReadOnlyList<WidthStepRecord> Records, List<Dictionary<string, Tensor>> Gradients) OneIteration(bool featureDistill)
    {
        using var setup = new TrainingSetup(Config(featureDistill));
        setup.Regularizer?.SetEpoch(0);
        using var g = new Generator(5);
        using var v1 = torch.randn(new long[] { 16, 3, 32, 32 }, generator: g);
        using var v2 = torch.randn(new long[] { 16, 3, 32, 32 }, generator: g);
        var gradients = new List<Dictionary<string, Tensor>>();
        setup.Loop.Traced = trace => gradients.Add(trace.Network.named_parameters()
            .Select(p => (p.name, grad: p.parameter.grad))
            .Where(p => p.grad is not null)
            .ToDictionary(p => p.name, p => DisposeScope.Detach(p.grad!.detach().clone())));
        var records = setup.Loop.Run(new ViewPair(v1, v2), Widths, epoch: 0, iteration: 0, monitor: false);
        return (records, gradients);
    }

    /// <summary>Same shape and exactly the same values.</summary>
    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }

    private static double MaxAbs(Tensor t) => t.abs().max().item<float>();

    [Fact]
    public void OnlyTheSubNetworkStepChangesAndItsGradientReachesTheStemAndTheAdapters()
    {
        var (offRecords, off) = OneIteration(featureDistill: false);
        var (onRecords, on) = OneIteration(featureDistill: true);
        try
        {
            Assert.Equal(2, off.Count);
            Assert.Equal(2, on.Count);
            Assert.DoesNotContain(off.SelectMany(step => step.Keys), name => name.StartsWith("proj_conv.", StringComparison.Ordinal));

            // Max-width step: same loss, same gradients, and no adapter gradient (workers/ssl.py L227-238).
            Assert.Equal(offRecords[0].Loss, onRecords[0].Loss);
            foreach (var (name, gradient) in off[0]) Assert.True(Same(gradient, on[0][name]), name);
            Assert.DoesNotContain(on[0], p => p.Key.StartsWith("proj_conv.", StringComparison.Ordinal) && MaxAbs(p.Value) > 0);

            // Sub-network step: the feature loss adds to the distillation loss of the same weights...
            Assert.True(onRecords[1].Loss > offRecords[1].Loss + 1e-3, $"on {onRecords[1].Loss}, off {offRecords[1].Loss}");
            // ...and changes the gradient of the earliest layers, through the tapped stages 2-4.
            foreach (var early in new[] { "backbone.conv1.weight", "backbone.layer1.0.conv1.weight" })
            {
                using var difference = (on[1][early] - off[1][early]).abs().max();
                Assert.True(difference.item<float>() > 1e-3 * MaxAbs(off[1][early]), $"{early}: the gradient moved by only {difference.item<float>()}");
            }
            // ...and trains every adapter.
            var layers = FeatureLayers.Default("us_resnet10_mini");
            Assert.Equal(3, layers.Count);
            foreach (var layer in layers)
            {
                var name = $"proj_conv.{FeatureAdapters.ChildName(layer)}.weight";
                Assert.True(on[1].ContainsKey(name) && MaxAbs(on[1][name]) > 0, $"{name} has no gradient");
            }
        }
        finally
        {
            foreach (var t in off.Concat(on).SelectMany(step => step.Values)) t.Dispose();
        }
    }

    [Fact]
    public void TheAdaptersAreOptimizedButNotRegularizedNorPartOfTheTeacher()
    {
        using var on = new TrainingSetup(Config(featureDistill: true));
        var adapters = on.Network.named_parameters().Where(p => p.name.StartsWith("proj_conv.", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "proj_conv.layer2_0_bn2.weight", "proj_conv.layer3_0_bn2.weight", "proj_conv.layer4_0_bn2.weight" },
            adapters.Select(p => p.name));
        foreach (var (name, weight) in adapters)
        {
            // A 1×1 conv from the layer's full channel count to itself, no bias: C(w) → C at width w.
            var layer = name["proj_conv.".Length..^".weight".Length].Replace('_', '.');
            var channels = ((USBatchNorm2d)on.Network.Backbone.get_submodule(layer)).num_features;
            Assert.Equal(new[] { channels, channels, 1L, 1L }, weight.shape);
        }
        var optimized = on.Optimizer.param_groups.SelectMany(group => group.parameters).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.All(adapters, p => Assert.Contains(p.parameter, optimized));
        Assert.DoesNotContain(on.Regularizer!.Names, name => name.Contains("proj_conv", StringComparison.Ordinal));
        Assert.Contains("backbone.conv1.weight", on.Regularizer.Names);
        Assert.DoesNotContain(on.Teacher!.state_dict().Keys, name => name.Contains("proj_conv", StringComparison.Ordinal));

        using var off = new TrainingSetup(Config(featureDistill: false));
        Assert.Null(off.Network.FeatureAdapters);
        Assert.DoesNotContain(off.Network.state_dict().Keys, name => name.Contains("proj_conv", StringComparison.Ordinal));
        // Switching the adapters on leaves every other initial weight as it was.
        var offWeights = off.Network.state_dict();
        foreach (var (name, value) in on.Network.state_dict().Where(e => !e.Key.StartsWith("proj_conv.", StringComparison.Ordinal)))
            Assert.True(Same(value, offWeights[name]), name);
    }

    [Fact]
    public void ACheckpointKeepsTheAdapters()
    {
        var dir = TinyRuns.NewDir();
        try
        {
            using (var run = Pretrainer.Start(Config(featureDistill: true) with { Epochs = 1, Sampler = SamplerKind.Sandwich }, dir)) run.Train();
            var (tensors, _) = Safetensors.Load(Checkpoint.PathIn(dir));
            try
            {
                Assert.Contains("model.proj_conv.layer2_0_bn2.weight", tensors.Keys);
                Assert.DoesNotContain(tensors.Keys, k => k.StartsWith("teacher.", StringComparison.Ordinal) && k.Contains("proj_conv", StringComparison.Ordinal));
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
