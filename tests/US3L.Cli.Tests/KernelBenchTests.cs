using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>`us3l bench kernel` runs and prints one JSON line per kernel (its numbers are not asserted on).</summary>
[Collection(CpuHeavyCollection.Name)]
public class KernelBenchTests
{
    [Fact]
    public void Prints_a_json_line_for_our_kernel_and_for_ipykernel()
    {
        var (code, output) = CliProcess.Run(CliProcess.RepoRoot, "bench", "kernel", "--starts", "1", "--cells", "2");
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["us3l-csharp", "python3"], lines.Select(l => l["kernel"]!.GetValue<string>()));
        foreach (var line in lines)
        {
            if (line["skipped"] is not null) continue;
            Assert.Equal("kernel", line["bench"]!.GetValue<string>());
            foreach (string field in (string[])["ready_ms", "first_cell_ms", "steady_cell_ms"])
                Assert.True(line[field]!.GetValue<double>() > 0, $"{field} in {line}");
            Assert.Equal(2, line["cells"]!.GetValue<int>());
        }
    }

    [Fact]
    public void Rejects_a_non_positive_cell_count()
    {
        var (code, output) = CliProcess.Run(CliProcess.RepoRoot, "bench", "kernel", "--cells", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("--cells must be a positive integer, got 0.", output);
    }
}
