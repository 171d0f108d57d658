namespace US3L.Notebook.Tests;

/// <summary>Reading a run's metrics.jsonl.</summary>
public sealed class RunMetricsTests : IDisposable
{
    private readonly string file = Path.GetTempFileName();

    public void Dispose() => File.Delete(file);

    private const string Iteration0 = """{"kind":"iteration","epoch":0,"batch":0,"iteration":0,"lr":0.05,"widths":[1,0.5,0.25],"distilled":[false,true,true],"loss":[-0.1,-0.2,-0.3],"reg":[0,0,0],"grad_norm":[1,2,3],"images_per_second":100,"passes":3,"macs":1000,"optimizer_steps":3,"teacher_forwards":1,"ema_updates":1,"ema_drift":0,"collapse":[{"width":1,"std":0.05,"level":0.2,"mean_cosine":0.3,"effective_rank":40},null],"collapse_backbone":null}""";
    private const string Iteration1 = """{"kind":"iteration","epoch":0,"batch":1,"iteration":1,"lr":0.05,"widths":[1,0.7,0.25],"distilled":[false,true,true],"loss":[-0.4,-0.5,-0.6],"reg":[0,0,0],"grad_norm":[1,2,3],"images_per_second":110,"passes":6,"macs":2000,"optimizer_steps":6,"teacher_forwards":2,"ema_updates":2,"ema_drift":null,"collapse":null,"collapse_backbone":null}""";
    private const string Epoch0 = """{"kind":"epoch","epoch":0,"iteration":2,"lr":0.05,"knn":[{"width":1,"top1":0.7},{"width":0.25,"top1":0.6}]}""";
    private const string End = """{"kind":"end","interrupted":false,"epoch":1,"iteration":2,"seconds":12.5}""";

    [Fact]
    public void Losses_collapse_meters_and_knn_are_read_per_width()
    {
        File.WriteAllLines(file, new[] { Iteration0, Iteration1, Epoch0, End });
        var m = RunMetrics.Read(file);
        Assert.Equal(new[] { (0L, -0.3), (1L, -0.6) }, m.LossOf(0.25).ToArray());
        Assert.Equal(new[] { (0L, -0.2) }, m.LossOf(0.5).ToArray());
        var collapse = Assert.Single(m.CollapseOf(1.0, backbone: false));
        Assert.Equal(0.2, collapse.Point.Level);
        Assert.Empty(m.CollapseOf(1.0, backbone: true));
        Assert.Equal(new[] { (0, 0.6) }, m.KnnOf(0.25).ToArray());
        Assert.Equal(0.0, m.Iterations[0].EmaDrift);
        Assert.Null(m.Iterations[1].EmaDrift);
        Assert.Equal(12.5, m.TrainSeconds);
        Assert.True(m.Finished);
    }

    [Fact]
    public void An_interrupted_end_is_not_finished_and_seconds_add_up_over_calls()
    {
        File.WriteAllLines(file, new[] { Iteration0, End.Replace("\"interrupted\":false", "\"interrupted\":true"), Iteration1, End });
        var m = RunMetrics.Read(file);
        Assert.Equal(25.0, m.TrainSeconds);
        Assert.True(m.Finished);
        File.WriteAllLines(file, new[] { Iteration0 });
        Assert.False(RunMetrics.Read(file).Finished);
    }

    [Fact]
    public void A_line_that_is_not_a_record_names_its_number()
    {
        File.WriteAllLines(file, new[] { Iteration0, "{\"kind\":\"iteration\"}" });
        var e = Assert.Throws<InvalidDataException>(() => RunMetrics.Read(file));
        Assert.Contains("line 2", e.Message);
        Assert.Throws<FileNotFoundException>(() => RunMetrics.Read(file + ".missing"));
    }
}
