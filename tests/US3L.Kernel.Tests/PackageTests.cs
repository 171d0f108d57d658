using US3L.Kernel.Cells;
using US3L.Kernel.Packages;

namespace US3L.Kernel.Tests;

public class PackageTests
{
    [Fact]
    public void PackageLinesAreTakenOutOfTheCSharpKeepingLineNumbers()
    {
        var extracted = PackageDirectives.Extract("#i \"nuget: https://feed.example/v3/index.json\"\n#r \"nuget: Humanizer.Core, 2.14.1\"\n  #r \"nuget:NodaTime\"\nvar x = 1;");
        Assert.Equal("\n\n\nvar x = 1;", extracted.Code);
        Assert.Equal([new PackageRequest("Humanizer.Core", "2.14.1"), new PackageRequest("NodaTime", null)], extracted.Packages);
        Assert.Equal(["https://feed.example/v3/index.json"], extracted.Sources);
    }

    [Theory]
    [InlineData("#r \"nuget: \"", "line 1: expected #r \"nuget: Name, Version\" or #r \"nuget: Name\", got #r \"nuget: \"")]
    [InlineData("1;\n#r \"nuget: A, 1, 2\"", "line 2: expected #r \"nuget: Name, Version\" or #r \"nuget: Name\", got #r \"nuget: A, 1, 2\"")]
    [InlineData("#r \"nuget: A,\"", "line 1: expected #r \"nuget: Name, Version\" or #r \"nuget: Name\", got #r \"nuget: A,\"")]
    [InlineData("#i \"nuget:  \"", "line 1: #i \"nuget:\" needs a feed, e.g. #i \"nuget: https://api.nuget.org/v3/index.json\"")]
    public void MalformedPackageLinesNameTheLine(string code, string message) =>
        Assert.Equal(message, Assert.Throws<CellTextException>(() => PackageDirectives.Extract(code)).Message);

    [Fact]
    public void TheGeneratedProjectRestoresForTheKernelsFrameworkAndTheNewestStableByDefault()
    {
        string xml = PackageManager.ProjectXml([new PackageRequest("A&B", "1.0"), new PackageRequest("C", null)]);
        Assert.Contains($"<TargetFramework>net{Environment.Version.Major}.{Environment.Version.Minor}</TargetFramework>", xml);
        Assert.Contains("<PackageReference Include=\"A&amp;B\" Version=\"1.0\" />", xml);
        Assert.Contains("<PackageReference Include=\"C\" Version=\"*\" />", xml);
        string config = PackageManager.NuGetConfigXml(["https://a.example/index.json", "http://127.0.0.1:9/v3/index.json"]);
        Assert.Contains("<add key=\"kernel-feed-1\" value=\"https://a.example/index.json\" />", config);
        Assert.Contains("<add key=\"kernel-feed-2\" value=\"http://127.0.0.1:9/v3/index.json\" allowInsecureConnections=\"true\" />", config);
    }

    [Fact]
    public void AssetsFileGivesPlatformAssembliesNativeLibrariesAndErrors()
    {
        string root = Directory.CreateTempSubdirectory("us3l-assets-").FullName;
        try
        {
            string rid = AssetsFile.RuntimeIdentifierChain[0];
            foreach (string file in new[] { "a/1.0.0/lib/net8.0/A.dll", "a/1.0.0/runtimes/unix/lib/net8.0/A.dll", $"b/2.0.0/runtimes/{rid}/native/libb.so", "b/2.0.0/runtimes/win-x64/native/b.dll" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                File.WriteAllText(Path.Combine(root, file), "");
            }
            string json = $$"""
                {
                  "targets": { "net10.0": {
                    "A/1.0.0": { "type": "package", "runtime": { "lib/net8.0/A.dll": {} },
                                 "runtimeTargets": { "runtimes/unix/lib/net8.0/A.dll": { "assetType": "runtime", "rid": "unix" } } },
                    "B/2.0.0": { "type": "package", "runtime": { "lib/netstandard2.0/_._": {} },
                                 "runtimeTargets": { "runtimes/{{rid}}/native/libb.so": { "assetType": "native", "rid": "{{rid}}" },
                                                     "runtimes/win-x64/native/b.dll": { "assetType": "native", "rid": "win-x64" } } } } },
                  "libraries": { "A/1.0.0": { "path": "a/1.0.0" }, "B/2.0.0": { "path": "b/2.0.0" } },
                  "packageFolders": { "{{root}}/": {} },
                  "logs": [ { "code": "NU1603", "level": "Warning", "message": "w" }, { "code": "NU1101", "level": "Error", "message": "Unable to find package X.", "libraryId": "X" } ]
                }
                """;
            string path = Path.Combine(root, "project.assets.json");
            File.WriteAllText(path, json);
            var assets = AssetsFile.Load(path);
            Assert.Equal([Path.Combine(root, "a/1.0.0", "runtimes/unix/lib/net8.0/A.dll")], assets.RuntimeAssemblies());
            Assert.Equal([Path.Combine(root, "b/2.0.0", $"runtimes/{rid}/native/libb.so")], assets.NativeLibraries());
            Assert.Equal(new AssetsFile.LogEntry("NU1101", "Error", "Unable to find package X.", "X"), assets.FirstError());
            Assert.Equal([new InstalledPackage("A", "1.0.0", true), new InstalledPackage("B", "2.0.0", false)], assets.Packages(["a"]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void NativeLibrariesAnswerToTheNamesDllImportUses()
    {
        var native = new NativeLibraries();
        native.Add("/p/runtimes/linux-x64/native/libe_sqlite3.so");
        Assert.Equal("/p/runtimes/linux-x64/native/libe_sqlite3.so", native.Find("e_sqlite3"));
        Assert.Equal("/p/runtimes/linux-x64/native/libe_sqlite3.so", native.Find("libe_sqlite3"));
        Assert.Equal("/p/runtimes/linux-x64/native/libe_sqlite3.so", native.Find("libe_sqlite3.so"));
        Assert.Null(native.Find("sqlite3"));
    }
}
