using US3L.Config;

namespace US3L.Notebook.Tests;

/// <summary>One tiny Fashion-MNIST US3L run in a fresh run store, shared by the tests of a class.</summary>
public sealed class TinyNotebookRun : IDisposable
{
    private readonly string store = Directory.CreateTempSubdirectory("us3l-notebook-tests-").FullName;
    private readonly string? previousRoot = RunStore.Root;

    public TinyNotebookRun()
    {
        RunStore.Root = store;
        var config = RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[]
        {
            "epochs=1", "train_subset=64", "batch_size=32", "sampler=sandwich", "knn_every=0", "knn_subset=64", "knn_calibration_batches=1", "seed=3",
            "projector_hidden=32", "projector_out=16", "predictor_hidden=32",
        });
        Run = NotebookRun.Train("tiny", config);
    }

    public NotebookRun Run { get; }

    public void Dispose()
    {
        if (previousRoot is not null) RunStore.Root = previousRoot;
        Directory.Delete(store, recursive: true);
    }
}

[Collection(RunStoreCollection.Name)]
public sealed class BnStatisticsStudyTests(TinyNotebookRun tiny) : IClassFixture<TinyNotebookRun>
{
    private static readonly EvaluationSettings Settings = new(64, 32, CalibrationBatches: 2, BatchSize: 16, Profile: "test");

    [Fact]
    public void Width_one_statistics_at_width_one_are_the_per_width_recalibration()
    {
        // Calibrating once at 1.0 and evaluating 1.0 is exactly what per-width recalibration does there.
        // Enough queries that other statistics (e.g. none calibrated at all) would move the top-1.
        var settings = Settings with { TrainImages = 512, TestImages = 512 };
        var once = BnStatisticsStudy.Evaluate(tiny.Run, new[] { 1.0 }, settings, BnStatisticsSource.MaxWidth);
        var perWidth = BnStatisticsStudy.Evaluate(tiny.Run, new[] { 1.0 }, settings, BnStatisticsSource.RecalibratedPerWidth);
        var uncalibrated = BnStatisticsStudy.Evaluate(tiny.Run, new[] { 1.0 }, settings, BnStatisticsSource.TestBatch);
        Assert.Equal(perWidth.At(1.0).KnnTop1, once.At(1.0).KnnTop1);
        Assert.NotEqual(uncalibrated.At(1.0).KnnTop1, once.At(1.0).KnnTop1);
        Assert.Contains("calibrated once at width 1.0 on 2 batches of 16", once.Protocol);
    }

    [Fact]
    public void Test_batch_statistics_are_the_evaluation_without_calibration_batches()
    {
        // The trained backbone keeps no running statistics, so zero calibration batches normalizes with batch statistics.
        var widths = new[] { 0.25, 1.0 };
        var study = BnStatisticsStudy.Evaluate(tiny.Run, widths, Settings, BnStatisticsSource.TestBatch);
        var plain = WidthEvaluation.Evaluate(tiny.Run, widths, Settings with { CalibrationBatches = 0 });
        Assert.Equal(plain.Points.Select(p => p.KnnTop1), study.Points.Select(p => p.KnnTop1));
        Assert.Contains("its own statistics", study.Protocol);
    }

    [Fact]
    public void Every_source_gives_one_point_per_width_with_its_macs_and_is_cached()
    {
        var widths = new[] { 0.25, 0.5 };
        foreach (var source in new[] { BnStatisticsSource.Initial, BnStatisticsSource.MaxWidth, BnStatisticsSource.TestBatch })
        {
            var first = BnStatisticsStudy.Evaluate(tiny.Run, widths, Settings, source);
            Assert.Equal(widths, first.Points.Select(p => p.Width));
            // A top-1 is a count of correct queries out of the evaluation's test images.
            Assert.All(first.Points, p => Assert.Equal(Math.Round(p.KnnTop1 * Settings.TestImages), p.KnnTop1 * Settings.TestImages, 9));
            Assert.True(first.At(0.25).Macs > 0 && first.At(0.25).Macs < first.At(0.5).Macs);
            var again = BnStatisticsStudy.Evaluate(tiny.Run, widths, Settings, source);
            Assert.True(again.FromCache);
            Assert.Equal(first.Points, again.Points);
        }
    }

    [Fact]
    public void Skipping_recalibration_changes_the_features_of_the_widths_it_concerns()
    {
        // Mean 0 / variance 1 is far from a trained network's statistics at every width; width-1.0
        // statistics are wrong only below 1.0. Different statistics give different features, and so kNN.
        var widths = new[] { 0.25, 0.5 };
        var settings = Settings with { TestImages = 64 };
        var recalibrated = BnStatisticsStudy.Evaluate(tiny.Run, widths, settings, BnStatisticsSource.RecalibratedPerWidth);
        var initial = BnStatisticsStudy.Evaluate(tiny.Run, widths, settings, BnStatisticsSource.Initial);
        var maxWidth = BnStatisticsStudy.Evaluate(tiny.Run, widths, settings, BnStatisticsSource.MaxWidth);
        Assert.NotEqual(recalibrated.Points.Select(p => p.KnnTop1), initial.Points.Select(p => p.KnnTop1));
        Assert.NotEqual(recalibrated.Points.Select(p => p.KnnTop1), maxWidth.Points.Select(p => p.KnnTop1));
    }

    [Fact]
    public void Bad_input_is_an_error_that_says_what_is_wrong()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BnStatisticsStudy.Evaluate(tiny.Run, new[] { 0.5 }, Settings with { CalibrationBatches = 0 }, BnStatisticsSource.MaxWidth));
        Assert.Contains("at least one calibration batch", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => BnStatisticsStudy.Evaluate(tiny.Run, new[] { 1.5 }, Settings, BnStatisticsSource.Initial));
        Assert.Throws<ArgumentException>(() => BnStatisticsStudy.Evaluate(tiny.Run, Array.Empty<double>(), Settings, BnStatisticsSource.TestBatch));
    }
}
