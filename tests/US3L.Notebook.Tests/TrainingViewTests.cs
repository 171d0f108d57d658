using Microsoft.DotNet.Interactive.Formatting;
using US3L.Training;

namespace US3L.Notebook.Tests;

/// <summary>The live training view: what it shows and when it asks to be redrawn.</summary>
public sealed class TrainingViewTests
{
    public TrainingViewTests() => Notebook.Init();

    private static TrainProgress Step(long iteration, params double[] losses) =>
        new(0, 2, (int)iteration, 4, iteration, new[] { 1.0, 0.5, 0.25 }.Take(losses.Length).ToArray(), losses, 100, null);

    [Fact]
    public void Redraws_at_most_about_once_a_second_but_always_after_a_knn_epoch()
    {
        var view = new TrainingView("us3l");
        var draws = 0;
        view.Changed = _ => draws++;
        view.Report(Step(1, -0.1, -0.2, -0.3));
        view.Report(Step(2, -0.2, -0.3, -0.4));
        Assert.Equal(1, draws);
        view.Report(new TrainProgress(0, 2, 4, 4, 4, Array.Empty<double>(), Array.Empty<double>(), 0, new Dictionary<double, double> { [1.0] = 0.7, [0.25] = 0.6 }));
        Assert.Equal(2, draws);
        string text = view.ToString();
        Assert.Contains("iteration 4/8, epoch 1/2", text);
        Assert.Contains("kNN after epoch 1: 1x 0.700 / 0.25x 0.600", text);
    }

    [Fact]
    public void The_chart_has_a_line_for_the_largest_smallest_and_in_between_widths()
    {
        var view = new TrainingView("us3l");
        view.Report(Step(1, -0.1, -0.2, -0.3));
        view.Report(Step(2, -0.2, -0.3, -0.4));
        Assert.Equal(3, view.LossChart().PlotlyTraceCount);
        view.Fail("stopped");
        string html = view.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<progress value=\"2\" max=\"8\"", html);
        Assert.Contains("stopped", html);
        Assert.DoesNotContain("plotly.js v", html);
    }

    [Fact]
    public void A_single_width_run_draws_one_line()
    {
        var view = new TrainingView("individual");
        view.Report(Step(1, -0.1));
        Assert.Equal(1, view.LossChart().PlotlyTraceCount);
    }
}
