namespace US3L.Cli.Tests;

/// <summary>Every notebook in notebooks/ runs through the runner with its smoke parameters.</summary>
[Collection(CpuHeavyCollection.Name)]
public sealed class NotebookFolderTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Runs_with_the_smoke_profile(string notebook)
    {
        string root = CliProcess.RepoRoot;
        var (code, output) = CliProcess.Run(root, "notebook", "run", Path.Combine("notebooks", notebook), "-p", "profile=smoke", "--timeout", "300");
        Assert.True(code == 0, $"{notebook} failed:\n{output}");
    }
}
