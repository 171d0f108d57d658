namespace US3L.Notebook.Tests;

/// <summary>Per-width evaluation of notebook runs, cached next to the run.</summary>
[Collection(RunStoreCollection.Name)]
public sealed class WidthEvaluationTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("us3l-notebook-eval-").FullName;

    public WidthEvaluationTests() => RunStore.Root = root;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static readonly EvaluationSettings Small = new(256, 128, CalibrationBatches: 2, BatchSize: 64, Profile: "smoke");

    [Fact]
    public void Evaluates_per_width_once_and_reads_the_cache_afterwards()
    {
        var config = NotebookRunTests.Tiny();
        var run = NotebookRun.Train("tiny", config);
        var steps = 0;
        var first = WidthEvaluation.Evaluate(run, new[] { 1.0, 0.25 }, Small, new CallbackProgress<(int Done, int Total)>(_ => steps++));
        Assert.False(first.FromCache);
        Assert.True(steps > 0);
        Assert.Equal(new[] { 1.0, 0.25 }, first.Points.Select(p => p.Width));
        // A top-1 is a count of the 128 queries, and features of a briefly trained network classify Fashion-MNIST far above chance (0.1).
        Assert.All(first.Points, p => Assert.Equal(Math.Round(p.KnnTop1 * 128), p.KnnTop1 * 128, 9));
        Assert.All(first.Points, p => Assert.True(p.KnnTop1 > 0.25, $"kNN top-1 {p.KnnTop1} at width {p.Width} is near chance"));
        Assert.True(first.At(1.0).Macs > first.At(0.25).Macs);
        Assert.Null(first.At(1.0).LinearTop1);
        Assert.Contains("BN recalibrated per width on 2 batches of 64", first.Protocol);
        Assert.Contains("profile smoke, seed 0", first.Protocol);

        var second = WidthEvaluation.Evaluate(run, new[] { 1.0, 0.25 }, Small);
        Assert.True(second.FromCache);
        Assert.Equal(first.Points, second.Points);
        Assert.Throws<KeyNotFoundException>(() => second.At(0.5));
    }

    [Fact]
    public void The_random_init_floor_is_the_same_network_for_the_same_seed()
    {
        var config = NotebookRunTests.Tiny();
        var a = WidthEvaluation.EvaluateRandomInit(config, new[] { 0.5 }, Small);
        var again = WidthEvaluation.EvaluateRandomInit(config, new[] { 0.5 }, Small);
        Assert.True(again.FromCache);
        Assert.Equal(a.Points, again.Points);
        Assert.Equal("random init", a.Model);
    }

    [Fact]
    public void Widths_outside_the_unit_interval_are_rejected()
    {
        var config = NotebookRunTests.Tiny();
        Assert.Throws<ArgumentOutOfRangeException>(() => WidthEvaluation.EvaluateRandomInit(config, new[] { 1.5 }, Small));
        Assert.Throws<ArgumentException>(() => WidthEvaluation.EvaluateRandomInit(config, Array.Empty<double>(), Small));
    }
}
