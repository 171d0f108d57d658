using System.IO.Compression;
using System.Text;
using System.Text.Json;
using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Data;
using US3L.Tests.Import;
using US3L.Torch.Serialization;

namespace US3L.Tests.Cli;

/// <summary>
/// `us3l import` end to end through the built tool: a BYOL checkpoint of the official code's shape
/// becomes a safetensors file that knn reads and that computes the reference's features; every
/// failure is one line on stderr.
/// </summary>
[Collection(ReferenceCheckpointCollection.Name)]
public class ImportCommandTests(ReferenceCheckpoints checkpoints)
{
    [Fact]
    public void ImportWritesTheBackboneThatKnnReads()
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "mini.safetensors");
        var source = checkpoints.PathOf("mini.zip.pth.tar");
        var r = CliRunner.Run("import", source, "--arch", "us_resnet10_mini", "--out", output, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var report = JsonDocument.Parse(Assert.Single(r.StdoutLines)).RootElement;
        Assert.Equal("us_resnet10_mini", report.GetProperty("arch").GetString());
        Assert.Equal("us_resnet10_mini", report.GetProperty("checkpoint_arch").GetString());
        Assert.Equal(7, report.GetProperty("epoch").GetInt64());
        Assert.Equal("encoder_q.", report.GetProperty("encoder").GetString());
        Assert.Equal(output, report.GetProperty("out").GetString());
        Assert.Empty(report.GetProperty("missing").EnumerateArray());
        Assert.Empty(report.GetProperty("unexpected").EnumerateArray());
        var loaded = report.GetProperty("loaded").EnumerateArray().ToList();
        Assert.Contains(loaded, l => l.GetProperty("from").GetString() == "module.encoder_q.layer1.0.conv1.weight" &&
                                     l.GetProperty("to").GetString() == "layer1.0.conv1.weight");
        var reasons = report.GetProperty("dropped").EnumerateArray().Select(d => d.GetProperty("reason").GetString()).ToList();
        Assert.Equal(loaded.Count + 15, reasons.Count(x => x == "teacher (encoder_k.*)"));  // the teacher's backbone and its 15 projector tensors
        Assert.Equal(15, reasons.Count(x => x == "projector (--heads keeps it)"));

        // The file holds exactly the backbone's state_dict, and computes the reference model's features.
        var (tensors, metadata) = Safetensors.Load(output);
        Assert.Equal("us_resnet10_mini", metadata["arch"]);
        Assert.Equal("7", metadata["epoch"]);
        var expected = checkpoints.Expected("mini");
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions());
        model.load_state_dict(tensors);
        model.to(ScalarType.Float64).eval();
        using (torch.no_grad())
            ReferenceCheckpointCollection.SingleThreaded(() =>
            {
                foreach (var (w, key) in new[] { (1.0, "features_1.0"), (0.5, "features_0.5") })
                {
                    var diff = (model.SetWidth(w).forward(expected["input"]) - expected[key]).abs().max().item<double>();
                    Assert.True(diff < 1e-9, $"{key}: max |difference| {diff}");
                }
            });

        var knn = CliRunner.Run("knn", "--checkpoint", output, "--arch", "us_resnet10_mini", "--train-subset", "256", "--test-subset", "64",
            "--calibrate-batches", "1", "--batch-size", "128", "--widths", "1.0,0.5", "--k", "5", "--json");
        Assert.True(knn.ExitCode == 0, knn.Stderr);
        Assert.Equal(2, knn.StdoutLines.Length);
        Assert.All(knn.StdoutLines, l => Assert.Equal(output, JsonDocument.Parse(l).RootElement.GetProperty("weights").GetString()));
    }

    [Fact]
    public void TheTableNamesRenamedHeadsAndTheTeacher()
    {
        var r = CliRunner.Run("import", checkpoints.PathOf("mobilenet.legacy.pth.tar"), "--arch", "us_cifar_mobilenetv2", "--heads");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.StdoutLines;
        Assert.Equal("format: legacy (protocol 1001); epoch 7; arch us_cifar_mobilenetv2", lines[1]);
        Assert.Equal("layout: the official code's SSL wrapper (encoder_q online, encoder_k teacher); loaded encoder_q.*", lines[2]);
        // 159 backbone tensors (150 of them in renamed blocks), projector 9, predictor 5, auxiliary head 5; the
        // teacher's 174 (its backbone and projector with BN statistics) and the 4 head BNs' statistics dropped.
        Assert.Equal("us_cifar_mobilenetv2: 178 tensors loaded, 150 renamed; 364 in the checkpoint", lines[3]);
        Assert.Equal("dropped: 174 teacher (encoder_k.*), 12 head BN statistics (the kit's heads normalise with batch statistics)", lines[4]);
        Assert.Equal(new[] { "missing: none", "unexpected: none" }, lines[5..]);
    }

    [Fact]
    public void AnIncompleteCheckpointIsReportedAndNotWritten()
    {
        using var dir = new TempDirectory();
        var output = Path.Combine(dir.Path, "partial.safetensors");
        var source = checkpoints.PathOf("mini_partial.pth");
        var r = CliRunner.Run("import", source, "--arch", "us_resnet10_mini", "--out", output);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("missing: 1", r.StdoutLines);
        Assert.Contains("layer4.0.bn2.bias", r.StdoutLines);
        Assert.Contains("unexpected: 1", r.StdoutLines);
        Assert.Contains("extra.weight", r.StdoutLines);
        Assert.Equal($"error: '{source}' does not fill us_resnet10_mini: 1 parameter(s) missing (layer4.0.bn2.bias).", r.Stderr.Trim());
        Assert.False(File.Exists(output));
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "missing", "error: No checkpoint at '{0}'." },
        { "text", "error: '{0}' is not a PyTorch checkpoint: it is neither a torch.save zip archive nor the legacy pickle format." },
        { "truncated", "error: '{0}' is not a readable PyTorch checkpoint: it is a damaged zip archive" },
        { "unsafe", "error: '{0}' is refused: the pickle names the global 'os.system', which this reader refuses" },
        { "arch", "error: --arch: unknown architecture 'us_resnet99'; expected one of us_cifar_resnet18" },
        { "arch field", "error: '{0}' holds a us_resnet10_mini (its 'arch' field), not --arch us_cifar_resnet18." },
        { "shape", "error: '{0}': conv1.weight has shape [32, 1, 3, 3], but us_cifar_resnet18's conv1.weight has [64, 3, 3, 3]" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void EveryFailureIsOneLineNamingTheProblem(string kind, string expected)
    {
        using var dir = new TempDirectory();
        var marker = Path.Combine(dir.Path, "ran");
        var (file, arch) = kind switch
        {
            "missing" => (Path.Combine(dir.Path, "nothing.pth.tar"), "us_resnet10_mini"),
            "text" => (dir.File("notes.pth.tar", Encoding.ASCII.GetBytes("not a checkpoint\n")), "us_resnet10_mini"),
            "truncated" => (dir.File("cut.pth.tar", Half(checkpoints.PathOf("mini.zip.pth.tar"))), "us_resnet10_mini"),
            "unsafe" => (SystemCallZip(dir, $"touch {marker}"), "us_resnet10_mini"),
            "arch" => (checkpoints.PathOf("mini.zip.pth.tar"), "us_resnet99"),
            "arch field" => (checkpoints.PathOf("mini.zip.pth.tar"), "us_cifar_resnet18"),
            _ => (checkpoints.PathOf("mini_partial.pth"), "us_cifar_resnet18"),
        };
        var r = CliRunner.Run("import", file, "--arch", arch, "--out", Path.Combine(dir.Path, "out.safetensors"));
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(string.Format(expected, file), line);
        Assert.Empty(r.Stdout);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out.safetensors")));
        Assert.False(File.Exists(marker), "the pickle's command ran");
    }

    private static byte[] Half(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[..(bytes.Length / 2)];
    }

    /// <summary>A torch-style zip whose data.pkl calls os.system(command): GLOBAL, one argument, REDUCE.</summary>
    private static string SystemCallZip(TempDirectory dir, string command)
    {
        var argument = Encoding.UTF8.GetBytes(command);
        var pickle = new byte[] { 0x80, 2 }.Concat(Encoding.ASCII.GetBytes("cos\nsystem\n")).Concat(new[] { (byte)'X' })
            .Concat(BitConverter.GetBytes(argument.Length)).Concat(argument).Concat(new byte[] { 0x85, (byte)'R', (byte)'.' }).ToArray();
        var path = Path.Combine(dir.Path, "unsafe.pth.tar");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var s = zip.CreateEntry("unsafe/data.pkl", CompressionLevel.NoCompression).Open();
        s.Write(pickle);
        return path;
    }
}
