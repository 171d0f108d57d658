using US3L.Evaluation;

namespace US3L.Tests.Evaluation;

public class EvaluationWidthsTests
{
    [Fact]
    public void CurveIsThe31PointListWrittenExactly()
    {
        var w = EvaluationWidths.Curve;
        Assert.Equal(31, w.Count);
        Assert.Equal(0.25, w[0]);
        Assert.Equal(1.0, w[^1]);
        Assert.Contains(0.3, w);   // 0.25 + 2·0.025 must not be 0.30000000000000004
        Assert.Contains(0.7, w);
        for (var i = 0; i < w.Count; i++) Assert.Equal(((250 + 25 * i) / 1000.0).ToString("R"), w[i].ToString("R"));
    }

    [Fact]
    public void RangeIncludesMaxOnTheGridAndRejectsBadBounds()
    {
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1.0 }, EvaluationWidths.Range(0.25, 1.0, 0.25));
        Assert.Equal(new[] { 0.1, 0.4 }, EvaluationWidths.Range(0.1, 0.5, 0.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationWidths.Range(0, 1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationWidths.Range(0.5, 0.25, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationWidths.Range(0.25, 1, 0));
    }

    [Fact]
    public void TableWidthsAreThePapersFour() => Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, EvaluationWidths.Table);
}
