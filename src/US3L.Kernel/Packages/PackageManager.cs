using System.Diagnostics;
using System.Reflection;
using System.Security;
using System.Text;

namespace US3L.Kernel.Packages;

/// <summary>A package that a restore brought in; <see cref="Requested"/> when a cell named it.</summary>
internal sealed record InstalledPackage(string Name, string Version, bool Requested);

/// <summary>What one <c>#r "nuget:..."</c> cell added: the packages, and the assemblies new to the kernel.</summary>
internal sealed record PackageInstall(IReadOnlyList<InstalledPackage> Packages, IReadOnlyList<string> NewAssemblies);

/// <summary>A restore that failed; the message is one line naming the package or feed.</summary>
internal sealed class PackageException(string message, string? unreachableFeed = null) : Exception(message)
{
    /// <summary>The feed a restore could not reach, when that is why it failed.</summary>
    public string? UnreachableFeed { get; } = unreachableFeed;
}

/// <summary>
/// Restores the packages cells ask for with the .NET SDK, as .NET Interactive does: every package
/// asked for so far goes into one generated project in a folder of this kernel's own, which
/// <c>dotnet restore</c> resolves for the kernel's target framework (packages land in the user's
/// NuGet folder, shared with builds); <c>project.assets.json</c> then names each package's
/// runtime assemblies and native libraries (see <see cref="AssetsFile"/>).
/// </summary>
internal sealed class PackageManager : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"us3l-kernel-packages-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
    private readonly Dictionary<string, PackageRequest> _requested = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _installed = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _sources = [];
    private readonly HashSet<string> _assemblies = new(StringComparer.OrdinalIgnoreCase);

    public NativeLibraries Native { get; } = new();

    /// <summary>The target framework the kernel runs on (net10.0), so packages resolve for it.</summary>
    public static string TargetFramework { get; } = "net" + (typeof(PackageManager).Assembly
        .GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName.Split("Version=v").Last()
        ?? Environment.Version.ToString(2));

    /// <summary>
    /// Adds feeds and packages and restores everything asked for so far. Nothing is kept when the
    /// restore fails (a package that does not exist, a version that does not, a feed that cannot
    /// be reached), so the next cell starts from the last good state.
    /// </summary>
    public PackageInstall Add(IReadOnlyList<string> sources, IReadOnlyList<PackageRequest> packages, CancellationToken cancel)
    {
        var requested = new Dictionary<string, PackageRequest>(_requested, StringComparer.OrdinalIgnoreCase);
        foreach (PackageRequest package in packages)
        {
            if (_installed.TryGetValue(package.Name, out string? loaded) && package.Version is { } wanted && !SameVersion(wanted, loaded))
                throw new PackageException($"#r \"nuget: {package.Name}, {wanted}\": {package.Name} {loaded} is already loaded in this kernel; restart the kernel to use another version");
            requested[package.Name] = _requested.TryGetValue(package.Name, out var earlier) && package.Version is null ? earlier : package;
        }
        if (packages.Count == 0)
        {
            _sources.AddRange(sources.Where(s => !_sources.Contains(s)));
            return new PackageInstall([], []);
        }
        if (packages.All(p => _installed.ContainsKey(p.Name)) && sources.All(_sources.Contains))
            return new PackageInstall(packages.Select(p => new InstalledPackage(p.Name, _installed[p.Name], true)).ToList(), []);
        var allSources = _sources.Concat(sources).Distinct(StringComparer.Ordinal).ToList();

        AssetsFile assets;
        try
        {
            assets = Restore(requested.Values.ToList(), allSources, packages, cancel);
        }
        catch (PackageException e) when (e.UnreachableFeed is { } dead && _sources.Remove(dead))
        {
            throw new PackageException($"{e.Message}; it is taken off this kernel's feeds (add it again with #i once it is up)");
        }
        var installed = assets.Packages(requested.Keys);
        // Shown: the packages this cell asked for, and the dependencies new to this kernel.
        var shown = installed.Where(p => p.Requested ? packages.Any(r => r.Name.Equals(p.Name, StringComparison.OrdinalIgnoreCase)) : !_installed.ContainsKey(p.Name)).ToList();
        // One copy of each assembly per kernel: a name already loaded (by the platform or an earlier
        // package) keeps its first copy, or its types would exist twice.
        var fresh = assets.RuntimeAssemblies()
            .Where(p => !IsPlatformAssembly(p) && !_assemblies.Contains(Path.GetFileNameWithoutExtension(p)))
            .ToList();
        foreach (string folder in assets.PackageFolders) Native.AddPackageFolder(folder);
        foreach (string native in assets.NativeLibraries()) Native.Add(native);

        foreach (var (name, request) in requested) _requested[name] = request;
        foreach (InstalledPackage package in installed) _installed[package.Name] = package.Version;
        _sources.Clear();
        _sources.AddRange(allSources);
        _assemblies.UnionWith(fresh.Select(p => Path.GetFileNameWithoutExtension(p)));
        return new PackageInstall(shown, fresh);
    }

    /// <summary>Restores <paramref name="packages"/> (all asked for so far); errors name the ones this cell <paramref name="asked"/> for.</summary>
    private AssetsFile Restore(IReadOnlyList<PackageRequest> packages, IReadOnlyList<string> sources, IReadOnlyList<PackageRequest> asked, CancellationToken cancel)
    {
        Directory.CreateDirectory(_folder);
        string project = Path.Combine(_folder, "packages.csproj");
        File.WriteAllText(project, ProjectXml(packages));
        File.WriteAllText(Path.Combine(_folder, "NuGet.Config"), NuGetConfigXml(sources));
        string assetsPath = Path.Combine(_folder, "obj", "project.assets.json");
        if (File.Exists(assetsPath)) File.Delete(assetsPath);

        var (exitCode, output) = RunRestore(project, cancel);
        AssetsFile? assets = File.Exists(assetsPath) ? AssetsFile.Load(assetsPath) : null;
        if (assets?.FirstError() is { } error)
            throw new PackageException(Describe(error, asked, sources), error.Code == "NU1301" ? FeedIn(error.Message, sources) : null);
        if (exitCode != 0 || assets is null)
        {
            string line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
                ?? output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? $"exit code {exitCode}";
            throw new PackageException($"restoring {string.Join(", ", asked)} failed: {line}");
        }
        return assets;
    }

    private static (int ExitCode, string Output) RunRestore(string project, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["restore", project, "-nologo", "-v:q", "--disable-build-servers", "-p:NuGetAudit=false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PackageException("could not start dotnet restore");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PackageException($"#r \"nuget:...\" needs the .NET SDK (dotnet restore), which could not be started: {e.Message}");
        }
        using (process)
        using (cancel.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            process.WaitForExit();
            cancel.ThrowIfCancellationRequested();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    /// <summary>The generated project: a class library for the kernel's framework that only restores.</summary>
    internal static string ProjectXml(IReadOnlyList<PackageRequest> packages)
    {
        var xml = new StringBuilder();
        xml.AppendLine("<Project Sdk=\"Microsoft.NET.Sdk\">");
        xml.AppendLine("  <PropertyGroup>");
        xml.AppendLine($"    <TargetFramework>{TargetFramework}</TargetFramework>");
        xml.AppendLine("    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>");
        xml.AppendLine("    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>");
        xml.AppendLine("    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>");
        // A package that only offers a nearby version, or only .NET Framework assets, still loads.
        xml.AppendLine("    <NoWarn>NU1603;NU1701</NoWarn>");
        xml.AppendLine("  </PropertyGroup>");
        xml.AppendLine("  <ItemGroup>");
        foreach (PackageRequest package in packages)
            xml.AppendLine($"    <PackageReference Include=\"{SecurityElement.Escape(package.Name)}\" Version=\"{SecurityElement.Escape(package.Version ?? "*")}\" />");
        xml.AppendLine("  </ItemGroup>");
        xml.AppendLine("</Project>");
        return xml.ToString();
    }

    /// <summary>
    /// The feeds added with #i, on top of the user's own NuGet configuration (NuGet merges the
    /// config beside the project with the user's). A feed the user named over plain http is
    /// allowed as such: NuGet refuses http feeds unless their config says so.
    /// </summary>
    internal static string NuGetConfigXml(IReadOnlyList<string> sources)
    {
        var xml = new StringBuilder();
        xml.AppendLine("<configuration>");
        xml.AppendLine("  <packageSources>");
        for (int i = 0; i < sources.Count; i++)
        {
            string insecure = sources[i].StartsWith("http:", StringComparison.OrdinalIgnoreCase) ? " allowInsecureConnections=\"true\"" : "";
            xml.AppendLine($"    <add key=\"kernel-feed-{i + 1}\" value=\"{SecurityElement.Escape(sources[i])}\"{insecure} />");
        }
        xml.AppendLine("  </packageSources>");
        xml.AppendLine("</configuration>");
        return xml.ToString();
    }

    private static string Describe(AssetsFile.LogEntry error, IReadOnlyList<PackageRequest> packages, IReadOnlyList<string> sources)
    {
        string message = string.Join(" ", error.Message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        PackageRequest? package = error.LibraryId is { } id ? packages.FirstOrDefault(p => p.Name.Equals(id, StringComparison.OrdinalIgnoreCase)) : null;
        return error.Code switch
        {
            "NU1101" when package is not null => $"#r \"nuget: {package.Name}\": no package with this id on the feeds ({error.Code}: {message})",
            "NU1102" when package is not null => $"#r \"nuget: {package.Name}, {package.Version}\": no such version of {package.Name} on the feeds ({error.Code}: {message})",
            "NU1301" => $"{UnreachableFeed(message, sources)}cannot be reached, so nothing was installed ({error.Code}: {message})",
            _ => $"restoring {string.Join(", ", packages)} failed ({error.Code}: {message})",
        };
    }

    private static string UnreachableFeed(string message, IReadOnlyList<string> sources) =>
        FeedIn(message, sources) is { } source ? $"#i \"nuget: {source}\": the feed " : "a package feed ";

    private static string? FeedIn(string message, IReadOnlyList<string> sources) =>
        sources.FirstOrDefault(s => message.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static bool SameVersion(string wanted, string loaded) =>
        NormalizeVersion(wanted) == NormalizeVersion(loaded) || wanted.Contains('*') || wanted.StartsWith('[') || wanted.StartsWith('(');

    private static string NormalizeVersion(string version) =>
        string.Join('.', version.Trim().Split('.').Select(p => p.TrimStart('0') is { Length: > 0 } t ? t : "0")).TrimEnd('.');

    /// <summary>
    /// Assemblies the kernel already runs on (the shared framework, Roslyn, the formatter) keep the
    /// kernel's copy: a second copy of the same assembly would split its types in two.
    /// </summary>
    private static bool IsPlatformAssembly(string path) => PlatformAssemblyNames.Value.Contains(Path.GetFileNameWithoutExtension(path));

    private static readonly Lazy<HashSet<string>> PlatformAssemblyNames = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase));

    private static string DotnetHost()
    {
        string? path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }
        catch (IOException e)
        {
            KernelLog.Warn($"could not delete the package folder {_folder}: {e.Message}");
        }
    }
}
