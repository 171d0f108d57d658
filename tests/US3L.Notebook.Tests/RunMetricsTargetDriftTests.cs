namespace US3L.Notebook.Tests;

/// <summary>RunMetrics reads the target drift that monitored iterations log (science.md 3.1).</summary>
public class RunMetricsTargetDriftTests
{
    private static string Log(params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"us3l-metrics-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private const string Common = "\"epoch\":0,\"lr\":0.05,\"loss\":[-0.5,-0.4,-0.3],\"grad_norm\":[1,1,1],\"images_per_second\":100," +
        "\"passes\":3,\"macs\":1,\"optimizer_steps\":3,\"distilled\":[false,true,true],\"widths\":[1.0,0.6,0.25]";

    [Fact]
    public void Drifts_are_paired_with_the_distilled_widths_and_unknown_entries_are_skipped()
    {
        var path = Log(
            "{\"kind\":\"iteration\",\"iteration\":0," + Common + ",\"target_drift\":[null,0.002],\"target_drift_l2\":[null,0.06]}",
            "{\"kind\":\"iteration\",\"iteration\":1," + Common + "}",
            "{\"kind\":\"iteration\",\"iteration\":2," + Common + ",\"target_drift\":[0.01,0.0]}");
        try
        {
            var metrics = RunMetrics.Read(path);
            Assert.Null(metrics.Iterations[1].TargetDrift);
            Assert.Equal(new double?[] { null, 0.002 }, metrics.Iterations[0].TargetDrift);
            var steps = metrics.TargetDrifts().ToList();
            Assert.Equal(3, steps.Count);
            Assert.Equal(new TargetDriftStep(0, 1, 0.25, 0.002, 0.06), steps[0]);
            Assert.Equal(new TargetDriftStep(2, 0, 0.6, 0.01, null), steps[1]);
            Assert.Equal(new TargetDriftStep(2, 1, 0.25, 0.0, null), steps[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Logs_without_drift_read_as_before()
    {
        var path = Log("{\"kind\":\"iteration\",\"iteration\":0," + Common + "}");
        try
        {
            Assert.Empty(RunMetrics.Read(path).TargetDrifts());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
