using System.Text.Json;
using US3L.Evaluation;

using US3L.Tests.Data;

namespace US3L.Tests.Evaluation;

public class ResultsFileTests
{
    private static readonly EvalProtocol Protocol = new("fashion-mnist, raw", BnCalibrated: false, Seed: 3);

    private static EvalResult[] Rows() => new[]
    {
        EvalResult.FromKnn(new KnnResult(new KnnOptions(200, 0.1), 0.855, 0.99, 60000, 10000, 784), Protocol, width: 0.3, macs: 123),
        EvalResult.FromLinear(new LinearProbeResult(new LinearProbeOptions(Epochs: 5), 0.9, 0.84, 784, new[] { 1.0 }), Protocol, 60000, 10000, width: 0.3),
    };

    [Fact]
    public void JsonLinesHaveSnakeCaseKeysAndNoNulls()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "sub", "eval.jsonl");
        ResultsFile.WriteJsonLines(path, Rows(), append: false);
        ResultsFile.WriteJsonLines(path, Rows().Take(1));
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        using var knn = JsonDocument.Parse(lines[0]);
        var k = knn.RootElement;
        Assert.Equal("knn", k.GetProperty("method").GetString());
        Assert.Equal(0.3, k.GetProperty("width").GetDouble());
        Assert.Equal(200, k.GetProperty("k").GetInt32());
        Assert.Equal(0.1, k.GetProperty("temperature").GetDouble());
        Assert.False(k.GetProperty("bn_calibrated").GetBoolean());
        Assert.Equal(123, k.GetProperty("macs").GetInt64());
        Assert.False(k.TryGetProperty("probe_epochs", out _));
        Assert.False(k.TryGetProperty("profile", out _));
        using var lin = JsonDocument.Parse(lines[1]);
        Assert.Equal(5, lin.RootElement.GetProperty("probe_epochs").GetInt32());
        Assert.Equal(0.9, lin.RootElement.GetProperty("train_top1").GetDouble());
        Assert.False(lin.RootElement.TryGetProperty("k", out _));
    }

    [Fact]
    public void CsvHasOneColumnPerFieldAndQuotesText()
    {
        var csv = ResultsFile.ToCsv(Rows()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, csv.Length);
        var header = csv[0].Split(',');
        Assert.Equal("method", header[0]);
        Assert.Contains("probe_schedule", header);
        Assert.StartsWith("knn,\"fashion-mnist, raw\",0.3,0.855,0.99,,false,3,,784,60000,10000,200,0.1,", csv[1]);
        Assert.StartsWith("linear,\"fashion-mnist, raw\",0.3,0.84,,0.9,false,3,,784,", csv[2]);
        Assert.Contains(",cosine,", csv[2]);
    }
}
