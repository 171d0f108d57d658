using System.Text.Json.Nodes;

namespace US3L.Kernel.Tests;

/// <summary>
/// `--install` writes us3l-csharp always and .net-csharp only where no other kernel has that name:
/// .NET Interactive's spec is kept byte for byte, an earlier spec of this kernel is updated.
/// </summary>
public sealed class KernelSpecInstallerTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("us3l-kernelspec-install-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private string SpecFile(string name) => Path.Combine(_dataDir, "kernels", name, "kernel.json");

    private void WriteSpec(string name, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SpecFile(name))!);
        File.WriteAllText(SpecFile(name), json);
    }

    [Fact]
    public void Into_an_empty_folder_both_names_start_this_kernel()
    {
        var outcomes = KernelSpecInstaller.Install(_dataDir);

        Assert.All(outcomes, o => Assert.True(o.Written, o.ToString()));
        Assert.True(KernelSpecInstaller.IsOurs(SpecFile("us3l-csharp")));
        Assert.True(KernelSpecInstaller.IsOurs(SpecFile(".net-csharp")));
    }

    [Fact]
    public void Another_kernels_net_csharp_is_kept_and_the_install_says_so()
    {
        // What `dotnet interactive jupyter install` writes.
        const string dotnetInteractive = """
            {"argv": ["dotnet", "interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000"],
             "display_name": ".NET (C#)", "language": "C#"}
            """;
        WriteSpec(".net-csharp", dotnetInteractive);

        var outcomes = KernelSpecInstaller.Install(_dataDir);

        Assert.Equal(dotnetInteractive, File.ReadAllText(SpecFile(".net-csharp")));
        Assert.True(KernelSpecInstaller.IsOurs(SpecFile("us3l-csharp")));
        var kept = Assert.Single(outcomes, o => !o.Written);
        Assert.Equal(".net-csharp", kept.Name);
        Assert.StartsWith("kept the existing kernelspec .net-csharp", kept.ToString());
        Assert.Contains("choose us3l-csharp", kept.ToString());
    }

    [Fact]
    public void An_earlier_install_of_this_kernel_is_updated()
    {
        WriteSpec(".net-csharp", """{"argv": ["dotnet", "/old/place/US3L.Kernel.dll", "-f", "{connection_file}"], "display_name": "C# (US3L)", "language": "csharp"}""");

        var outcomes = KernelSpecInstaller.Install(_dataDir);

        Assert.All(outcomes, o => Assert.True(o.Written, o.ToString()));
        var argv = JsonNode.Parse(File.ReadAllText(SpecFile(".net-csharp")))!["argv"]!.AsArray();
        Assert.Equal(typeof(KernelSpecInstaller).Assembly.Location, argv[1]!.GetValue<string>());
    }
}
