using US3L.Evaluation;

namespace US3L.Notebook.Tests;

/// <summary>The reference linear protocol and semi-supervised fine-tuning of notebook runs, cached next to the run.</summary>
[Collection(RunStoreCollection.Name)]
public sealed class ProtocolEvaluationTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("us3l-notebook-protocol-").FullName;

    public ProtocolEvaluationTests() => RunStore.Root = root;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Both_protocols_evaluate_per_width_once_and_read_the_cache_afterwards()
    {
        var run = NotebookRun.Train("tiny", NotebookRunTests.Tiny());
        var widths = new[] { 1.0, 0.25 };
        var linearOptions = ReferenceLinearOptions.For("fashion-mnist", "smoke");
        var steps = 0;
        var linear = ProtocolEvaluation.ReferenceLinear(run, widths, linearOptions, trainImages: 64, testImages: 50,
            new CallbackProgress<(int Done, int Total)>(p => steps = p.Done));
        Assert.False(linear.FromCache);
        // Every batch of both widths reported: calibration, training and test batches of the protocol.
        Assert.Equal((int)linearOptions.BatchesPerWidth(64, 50) * widths.Length, steps);
        Assert.Equal(widths, linear.Points.Select(p => p.Width));
        // A top-1 is a count of the 50 test images.
        Assert.All(linear.Points, p => Assert.Equal(Math.Round(p.Top1 * 50), p.Top1 * 50, 9));
        Assert.True(linear.At(1.0).Macs > 4 * linear.At(0.25).Macs, "width 0.25 costs about a sixteenth of width 1.0");
        Assert.Contains("reference linear (cifar setting, profile smoke)", linear.Protocol);

        var again = ProtocolEvaluation.ReferenceLinear(run, widths, linearOptions, trainImages: 64, testImages: 50);
        Assert.True(again.FromCache);
        Assert.Equal(linear.Points, again.Points);
        // Other image counts are another evaluation, never the cached one.
        Assert.False(ProtocolEvaluation.ReferenceLinear(run, new[] { 0.25 }, linearOptions, trainImages: 32, testImages: 50).FromCache);

        var semiOptions = SemiSupervisedOptions.For("fashion-mnist", "smoke", fraction: 0.1);
        var semi = ProtocolEvaluation.SemiSupervised(run, widths, semiOptions, poolImages: 200, testImages: 40);
        Assert.False(semi.FromCache);
        Assert.All(semi.Points, p => Assert.Equal(Math.Round(p.Top1 * 40), p.Top1 * 40, 9));
        Assert.Contains("class-balanced 0.1 of the first 200 training images", semi.Protocol);
        Assert.True(ProtocolEvaluation.SemiSupervised(run, widths, semiOptions, poolImages: 200, testImages: 40).FromCache);
        Assert.Throws<KeyNotFoundException>(() => semi.At(0.5));
    }

    [Fact]
    public void An_SNet_run_is_refused_a_width_outside_its_list_before_any_work()
    {
        var run = NotebookRun.Train("tiny-snet", NotebookRunTests.Tiny("sampler=fixed", "num_widths=2", "fixed_widths=[1.0, 0.5]", "eval_widths=[1.0, 0.5]", "switchable_bn=true"));
        var options = ReferenceLinearOptions.For("fashion-mnist", "smoke");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ProtocolEvaluation.ReferenceLinear(run, new[] { 1.0, 0.75 }, options, 64, 50));
        Assert.Contains("fixed widths [1, 0.5]", e.Message);
        Assert.False(Directory.Exists(Path.Combine(run.RunDir, "eval")), "nothing was evaluated for the listed width either");
        Assert.Equal(new[] { 0.5 }, ProtocolEvaluation.ReferenceLinear(run, new[] { 0.5 }, options, 64, 50).Points.Select(p => p.Width));
    }
}
