using US3L.Evaluation;
using US3L.Torch.nn;

namespace US3L.Tests.Evaluation;

// Live-handle counts are process-wide, so these tests must not run beside other tests.
[Collection(nameof(EvaluationMemoryCollection))]
public class EvaluationMemoryTests
{
    [Fact]
    public void FeatureBankKnnProbeAndSweepLeaveNoTensorBehind()
    {
        using var g = new Generator(0);
        using var model = new Sequential(new Linear(16, 12, generator: g), new ReLU(), new Linear(12, 6, generator: g));
        var train = new DataLoader(TinyData.Images(100, seed: 1), 32, shuffle: true, seed: 2);
        var test = new DataLoader(TinyData.Images(40, seed: 3), 32, shuffle: false);
        Tensor Extract(Tensor images) => model.forward(FeatureBank.Pixels(images));

        void RunAll()
        {
            using (var bank = FeatureBank.Extract(Extract, train, model))
            using (var queries = FeatureBank.Extract(Extract, test, model))
            {
                Knn.Evaluate(bank, queries, new[] { new KnnOptions(20), new KnnOptions(50) }, chunkSize: 16);
                LinearProbe.Fit(bank, queries, new LinearProbeOptions(Epochs: 2, BatchSize: 16));
                CollapseMeter.Measure(queries.Features);
            }
            WidthSweep.Run(Extract, train, test, new[] { 1.0, 0.5 }, new WidthSweepOptions(new EvalProtocol("tiny", false, 0))
            {
                Knn = new[] { new KnnOptions(10) },
                Linear = new LinearProbeOptions(Epochs: 1),
                FeatureCount = w => (int)(6 * w),
                CollapseRows = 16,
            }, model: model);
        }

        RunAll(); // warm caches first
        CollectUnreachable();
        var baseline = torch.live_tensor_count();
        for (var i = 0; i < 3; i++) RunAll();
        CollectUnreachable();
        Assert.Equal(baseline, torch.live_tensor_count());
    }

    private static void CollectUnreachable()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

[CollectionDefinition(nameof(EvaluationMemoryCollection), DisableParallelization = true)]
public class EvaluationMemoryCollection;
