using Microsoft.DotNet.Interactive.Formatting;
using US3L.Evaluation;
using US3L.Figures;
using US3L.Torch;

namespace US3L.Notebook.Tests;

/// <summary>What the kernel shows for kit values: it formats them with this formatter.</summary>
public class FormatterTests
{
    public FormatterTests() => Notebook.Init();

    [Fact]
    public void Tensor_html_shows_shape_dtype_device_stats_and_leading_values()
    {
        using var t = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        string html = t.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<code>[2, 3]</code>", html);
        Assert.Contains("float32", html);
        Assert.Contains("cpu", html);
        Assert.Contains("min 0 · max 5 · mean 2.5", html);
        Assert.Contains("<tr><td>0</td><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td><td>5</td></tr>", html);
        Assert.Equal(t.ToString(), t.ToDisplayString(PlainTextFormatter.MimeType));
    }

    [Fact]
    public void Large_and_high_dimensional_tensors_show_a_bounded_leading_matrix()
    {
        using var t = torch.zeros(3, 20, 30);
        string html = t.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("values [0, :, :]", html);
        Assert.Contains("12 more rows", html);
        Assert.Equal(8 * 10, html.Split("<td>0</td>").Length - 1);
    }

    [Fact]
    public void Scalar_and_bool_tensors_format_without_stats()
    {
        using var s = torch.scalar_tensor(2.5);
        Assert.Contains("<td>2.5</td>", s.ToDisplayString(HtmlFormatter.MimeType));
        using var b = torch.tensor(new[] { true, false }, 2);
        string html = b.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("bool", html);
        Assert.DoesNotContain("mean", html);
    }

    [Fact]
    public void Figure_shows_as_plotly_html()
    {
        var fig = Figure.Line(new[] { 1.0, 2.0 }, name: "1.0x");
        Assert.Contains("Plotly.newPlot", fig.ToDisplayString(HtmlFormatter.MimeType));
        Assert.Equal("Figure(1 trace: line 1.0x)", fig.ToDisplayString(PlainTextFormatter.MimeType));
    }

    [Fact]
    public void Eval_results_show_as_an_html_table_of_their_fields()
    {
        var result = new EvalResult
        {
            Method = "knn", Dataset = "fashion-mnist", Width = 0.5, Top1 = 0.81, BnCalibrated = true, Seed = 1,
            FeatureDim = 256, TrainCount = 100, TestCount = 50,
        };
        string html = new[] { result }.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<table", html);
        Assert.Contains("Top1", html);
        Assert.Contains("0.81", html);
        Assert.Contains("fashion-mnist", html);
    }

    [Fact]
    public void Progress_bar_shows_a_progress_element_and_counts()
    {
        var bar = new ProgressBar(4, "epochs").Advance("loss 1.2").Advance(steps: 1);
        Assert.Equal("epochs: 2/4 (50 %) loss 1.2", bar.ToDisplayString(PlainTextFormatter.MimeType));
        Assert.Contains("<progress value=\"2\" max=\"4\"", bar.ToDisplayString(HtmlFormatter.MimeType));
        Assert.Equal(4, bar.Advance(steps: 10).Done);
        Assert.Throws<ArgumentException>(() => new ProgressBar(0));
    }

    [Fact]
    public void Findings_show_as_a_three_column_table_with_notes_under_it()
    {
        var findings = new Findings("What the run shows")
            .Add("kNN at 0.25x, trained vs random", "71.0 vs 52.5 %", "trained ahead")
            .Add("curve monotone <within 1.2 points>", "0 drops", "yes")
            .Note("protocol: kNN k = 20");
        string html = findings.ToDisplayString(HtmlFormatter.MimeType);
        Assert.Contains("<b>What the run shows</b>", html);
        Assert.Contains("<th style=\"text-align:left\">question</th>", html);
        Assert.Contains("<td style=\"text-align:left\">71.0 vs 52.5 %</td>", html);
        Assert.Contains("&lt;within 1.2 points&gt;", html);
        Assert.Contains("<small>protocol: kNN k = 20</small>", html);
        Assert.Equal(2, html.Split("<tr>").Length - 2);

        var lines = findings.ToDisplayString(PlainTextFormatter.MimeType).Split('\n');
        Assert.Equal("What the run shows", lines[0]);
        Assert.StartsWith("question ", lines[1]);
        // Columns are aligned: the verdicts start at the same character in every row.
        Assert.Equal(lines[3].IndexOf("| trained ahead", StringComparison.Ordinal), lines[4].IndexOf("| yes", StringComparison.Ordinal));
        Assert.Equal("protocol: kNN k = 20", lines[^1]);
    }
}
