using US3L.Data;
using US3L.Detection;

namespace US3L.Tests.Detection;

/// <summary>Counts live native tensors, so it runs alone.</summary>
[Collection(nameof(DetectionMemoryCollection))]
public class DetectionMemoryTests
{
    [Fact]
    public void LoadingAugmentingAndEvaluatingLeaveNoTensorsBehind()
    {
        var scenes = FashionScenesTests.Scenes(12);
        var transform = new DetectionCompose(new DetectionHorizontalFlip(), new DetectionResize(new[] { 96, 112 }, 200));
        var loader = new DetectionLoader(scenes, batchSize: 4, seed: 2, transform: transform, prefetch: 1);
        var before = torch.live_tensor_count();
        var evaluator = new CocoEvaluator(scenes.NumClasses);
        foreach (var batch in loader.Epoch(0))
            using (batch)
                foreach (var s in batch.Samples)
                {
                    using var scope = torch.NewDisposeScope();
                    var t = s.Target;
                    // Resized masks no longer fit the 128x128 ground truth; the mask path is converted but not added.
                    CocoEvaluator.Predictions(t.Boxes, t.Labels, torch.ones(new long[] { t.Count }), t.Masks);
                    evaluator.Add(scenes.GroundTruth((int)s.ImageId), CocoEvaluator.Predictions(t.Boxes, t.Labels, torch.ones(new long[] { t.Count })));
                    using var training = t.ForTraining();
                }
        // Leaving an epoch early stops the prefetching worker and frees what it had queued.
        foreach (var batch in loader.Epoch(1))
        {
            batch.Dispose();
            break;
        }
        Assert.Equal(before, torch.live_tensor_count());
        Assert.Equal(12, evaluator.ImageCount);
    }
}

[CollectionDefinition(nameof(DetectionMemoryCollection), DisableParallelization = true)]
public class DetectionMemoryCollection { }
