namespace US3L.Notebook.Tests;

/// <summary>Following the metrics log another process is writing.</summary>
public class MetricsFollowerTests
{
    private static string Iteration(int epoch, int iteration, double loss) =>
        $"{{\"kind\":\"iteration\",\"epoch\":{epoch},\"iteration\":{iteration},\"loss\":[{loss},0.5],\"images_per_second\":100}}";

    [Fact]
    public void Reads_complete_lines_only_and_restarts_when_the_log_is_cut_back()
    {
        var path = Path.Combine(Path.GetTempPath(), $"us3l-follow-{Guid.NewGuid():N}.jsonl");
        try
        {
            var follower = new MetricsFollower(path);
            follower.Poll();
            Assert.Null(follower.LastIteration);

            File.WriteAllText(path, Iteration(0, 0, -0.1) + "\n" + Iteration(0, 1, -0.2).Substring(0, 20));
            follower.Poll();
            Assert.Equal((0, 1L, -0.1, 100.0), follower.LastIteration);

            File.AppendAllText(path, Iteration(0, 1, -0.2).Substring(20) + "\n{\"kind\":\"epoch\",\"epoch\":0,\"iteration\":2}\n");
            follower.Poll();
            Assert.Equal((0, 2L, -0.2, 100.0), follower.LastIteration);
            Assert.Equal((1, 2L), follower.LastEpoch);

            // A resumed run rewrites the log up to its checkpoint: shorter than what was read.
            File.WriteAllText(path, Iteration(0, 0, -0.3) + "\n");
            follower.Poll();
            Assert.Equal((0, 1L, -0.3, 100.0), follower.LastIteration);
            Assert.Null(follower.LastEpoch);

            File.AppendAllText(path, "not json\n" + Iteration(1, 5, -0.4) + "\n");
            follower.Poll();
            Assert.Equal((1, 6L, -0.4, 100.0), follower.LastIteration);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
