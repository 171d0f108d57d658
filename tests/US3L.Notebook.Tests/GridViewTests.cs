using Microsoft.DotNet.Interactive.Formatting;
using US3L.Config;

namespace US3L.Notebook.Tests;

/// <summary>The live view of a running grid.</summary>
public class GridViewTests
{
    private static ArmProgress Line(string label, ArmPhase phase, long done = 0, long? total = null) =>
        new(label, phase, done, total, 1, 4, -0.5, 120, 12, "training");

    [Fact]
    public void Shows_one_row_per_arm_with_a_progress_bar_and_redraws_at_once_when_a_phase_changes()
    {
        var view = new GridView("grid");
        int drawn = 0;
        view.Changed = _ => drawn++;
        view.Report(new[] { Line("a", ArmPhase.Training, 3, 12), Line("b", ArmPhase.Waiting) });
        view.Report(new[] { Line("a", ArmPhase.Training, 4, 12), Line("b", ArmPhase.Waiting) });
        Assert.Equal(1, drawn); // same phases within a second: not redrawn
        view.Report(new[] { Line("a", ArmPhase.Trained, 12, 12), Line("b", ArmPhase.Training) });
        Assert.Equal(2, drawn);

        string html = view.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<progress value=\"12\" max=\"12\"", html);
        Assert.Equal(2, html.Split("<tr><td>").Length - 1);
        string text = view.ToDisplayString(PlainTextFormatter.MimeType);
        Assert.Contains("a: trained 100 % (12/12), epoch 1/4, loss -0.500", text);

        view.Fail("interrupted");
        Assert.Equal(3, drawn);
        Assert.EndsWith("interrupted", view.ToString());
    }

    [Fact]
    public void The_iteration_total_comes_from_the_training_set_size_batch_and_epochs()
    {
        var c = RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { "train_subset=100", "batch_size=32", "epochs=4" });
        Assert.Equal(3 * 4, ArmTraining.EstimatedIterations(c));
        Assert.Equal(4 * 4, ArmTraining.EstimatedIterations(c with { DropLast = false }));
        Assert.Equal(60_000 / 32 * 4, ArmTraining.EstimatedIterations(c with { TrainSubset = 0 }));
        Assert.Null(ArmTraining.EstimatedIterations(c with { Dataset = "image-folder", TrainSubset = 0 }));
    }
}
