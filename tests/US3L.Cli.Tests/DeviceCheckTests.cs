using System.Text.Json;

namespace US3L.Cli.Tests;

public class DeviceCheckTests
{
    /// <summary>
    /// On the CPU against itself every check must agree exactly: this runs each check's code path
    /// (op families, a backbone at three widths, losses, augmentation, three training iterations)
    /// the way `./build.sh gpu-check` runs it on a GPU, so a broken check fails here first.
    /// </summary>
    [Fact]
    public void EveryCheckRunsAndTheCpuAgreesWithItself()
    {
        var (exit, output) = CliProcess.Run(Path.GetTempPath(), "check-device", "--device", "cpu");
        var lines = output.Split('\n').Where(l => l.StartsWith("{\"check\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(exit == 0, output);
        Assert.Equal(12, lines.Count);
        Assert.All(lines, l =>
        {
            Assert.True(l.GetProperty("ok").GetBoolean(), l.ToString());
            Assert.Equal(0.0, l.GetProperty("max_rel_error").GetDouble());
        });
        Assert.Contains(lines, l => l.GetProperty("check").GetString() == "pretrain_iterations");
    }

    [Fact]
    public void ACudaCheckWithoutAGpuIsOneClearLine()
    {
        var (exit, output) = CliProcess.Run(Path.GetTempPath(), "check-device", "--device", "cuda");
        Assert.Equal(1, exit);
        Assert.Equal("error: --device cuda needs a CUDA build of the native shim and a GPU (see environment.md).", output.Trim());
    }
}
