using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace US3L.Kernel.Packages;

/// <summary>
/// The <c>obj/project.assets.json</c> a restore writes: which version of each package it chose,
/// the files each package contributes for the target framework, and the restore's errors.
/// </summary>
internal sealed class AssetsFile
{
    public sealed record LogEntry(string Code, string Level, string Message, string? LibraryId);

    private readonly JsonObject _root;
    private readonly JsonObject _target;
    private readonly IReadOnlyList<string> _packageFolders;

    private AssetsFile(JsonObject root)
    {
        _root = root;
        _target = (root["targets"] as JsonObject)?.FirstOrDefault(t => !t.Key.Contains('/')).Value as JsonObject ?? [];
        _packageFolders = (root["packageFolders"] as JsonObject)?.Select(f => f.Key).ToList() ?? [];
    }

    public static AssetsFile Load(string path) =>
        new(JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object"));

    /// <summary>Where the restored packages are (the user's NuGet folder, usually).</summary>
    public IReadOnlyList<string> PackageFolders => _packageFolders;

    public LogEntry? FirstError() =>
        (_root["logs"] as JsonArray)?.OfType<JsonObject>()
            .Select(l => new LogEntry((string?)l["code"] ?? "", (string?)l["level"] ?? "", (string?)l["message"] ?? "", (string?)l["libraryId"]))
            .FirstOrDefault(l => l.Level.Equals("Error", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every package in the restored graph, the ones a cell named marked as requested.</summary>
    public IReadOnlyList<InstalledPackage> Packages(IEnumerable<string> requested)
    {
        var named = requested.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Libraries()
            .Select(l => new InstalledPackage(l.Name, l.Version, named.Contains(l.Name)))
            .OrderBy(p => !p.Requested).ThenBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// The assemblies to load: each package's runtime assets for this platform when it has
    /// platform-specific ones (runtimes/&lt;rid&gt;/lib), else its lib assets.
    /// </summary>
    public IReadOnlyList<string> RuntimeAssemblies()
    {
        var paths = new List<string>();
        foreach (var library in Libraries())
        {
            var specific = BestForPlatform(library, "runtime");
            IEnumerable<string> assets = specific.Count > 0 ? specific : Assets(library, "runtime");
            paths.AddRange(assets.Where(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(a => Resolve(library, a)).OfType<string>());
        }
        return paths;
    }

    /// <summary>The native libraries for this platform (runtimes/&lt;rid&gt;/native, and a package's own native assets).</summary>
    public IReadOnlyList<string> NativeLibraries()
    {
        var paths = new List<string>();
        foreach (var library in Libraries())
        {
            var assets = BestForPlatform(library, "native").Concat(Assets(library, "native"));
            paths.AddRange(assets.Select(a => Resolve(library, a)).OfType<string>());
        }
        return paths;
    }

    private sealed record Library(string Name, string Version, JsonObject Target, string RelativePath);

    private IEnumerable<Library> Libraries()
    {
        var libraries = _root["libraries"] as JsonObject ?? [];
        foreach (var (key, node) in _target)
        {
            if (node is not JsonObject target || (string?)target["type"] != "package") continue;
            string[] nameVersion = key.Split('/');
            string relative = (string?)libraries[key]?["path"] ?? $"{nameVersion[0].ToLowerInvariant()}/{nameVersion[1].ToLowerInvariant()}";
            yield return new Library(nameVersion[0], nameVersion[1], target, relative);
        }
    }

    private static IEnumerable<string> Assets(Library library, string kind) =>
        (library.Target[kind] as JsonObject)?.Select(a => a.Key).Where(a => !a.EndsWith("/_._", StringComparison.Ordinal)) ?? [];

    /// <summary>runtimeTargets of one asset type for the nearest runtime identifier this machine matches.</summary>
    private static List<string> BestForPlatform(Library library, string assetType)
    {
        if (library.Target["runtimeTargets"] is not JsonObject targets) return [];
        var candidates = targets
            .Where(t => (string?)t.Value?["assetType"] == assetType && !t.Key.EndsWith("/_._", StringComparison.Ordinal))
            .Select(t => (Path: t.Key, Rid: (string?)t.Value?["rid"] ?? ""))
            .ToList();
        foreach (string rid in RuntimeIdentifierChain)
        {
            var match = candidates.Where(c => c.Rid == rid).Select(c => c.Path).ToList();
            if (match.Count > 0) return match;
        }
        return [];
    }

    /// <summary>This machine's runtime identifier and the ones it falls back to (linux-x64, linux, unix-x64, unix, any).</summary>
    internal static IReadOnlyList<string> RuntimeIdentifierChain { get; } = Chain();

    private static IReadOnlyList<string> Chain()
    {
        string arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : "unix";
        var chain = new List<string> { RuntimeInformation.RuntimeIdentifier, $"{os}-{arch}", os };
        if (!OperatingSystem.IsWindows()) chain.AddRange([$"unix-{arch}", "unix"]);
        chain.Add("any");
        return chain.Distinct().ToList();
    }

    private string? Resolve(Library library, string asset) => _packageFolders
        .Select(folder => Path.Combine(folder, library.RelativePath, asset))
        .FirstOrDefault(File.Exists);
}
