using System.Diagnostics;
using System.Text.Json;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Torch.Serialization;

namespace US3L.Tests.Slimmable;

public class WidthExporterTests
{
    [Theory]
    [InlineData("us_resnet10_mini", 0.5, 1, 28, 4)]
    [InlineData("us_cifar_resnet18", 0.25, 3, 32, 8)]
    [InlineData("us_resnet50", 0.3, 3, 64, 8)]
    public void ExportedWidthRunsInPlainPyTorchWithTheSameOutputs(string arch, double width, int channels, int side, int divisor)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        using var model = ModelRegistry.Create(arch, new ModelOptions { InChannels = channels, Divisor = divisor, NumClasses = 5, Seed = 11 });
        using var g = new Generator(2);
        var batch = torch.randn(new long[] { 16, channels, side, side }, generator: g) * 1.5 + 0.5;
        BnCalibration.Calibrate(model, width, new[] { batch }, momentum: null);
        var x = batch.narrow(0, 0, 4);
        Tensor expected;
        using (torch.no_grad()) expected = model.Logits(x);

        var weights = Path.Combine(dir.Path, "w.safetensors");
        var io = Path.Combine(dir.Path, "io.safetensors");
        WidthExporter.Save(model, width, weights);
        Safetensors.Save(io, new Dictionary<string, Tensor> { ["x"] = x.contiguous(), ["expected"] = expected });
        var (tensors, meta) = Safetensors.Load(weights);
        Assert.Equal(arch, meta["arch"]);
        Assert.Equal(model.FeatureDim(width), tensors["fc.weight"].size(1));

        var script = Path.Combine(AppContext.BaseDirectory, "reference", "export_parity.py");
        var result = JsonDocument.Parse(RunPython(script, weights, io)).RootElement;
        Assert.True(result.GetProperty("max_abs_diff").GetDouble() < 1e-4, result.ToString());
    }

    [Fact]
    public void ExportNeedsStatisticsOfThatWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true));
        Assert.Contains("calibrate", Assert.Throws<InvalidOperationException>(() => WidthExporter.Slice(model, 0.5)).Message);
        BnCalibration.Calibrate(model, 1.0, new[] { torch.randn(4, 1, 28, 28) });
        Assert.Contains("calibrated at width 1", Assert.Throws<InvalidOperationException>(() => WidthExporter.Slice(model, 0.5)).Message);
        var sliced = WidthExporter.Slice(model, 1.0);
        Assert.Equal(new long[] { 16, 1, 3, 3 }, sliced["conv1.weight"].shape);
        foreach (var t in sliced.Values) t.Dispose();
    }

    private static string RunPython(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }
}
