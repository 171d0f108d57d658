namespace US3L.Notebook;

/// <summary>
/// Finds the built <c>us3l</c> CLI (<c>src/US3L.Cli/bin/CONFIG/net10.0/us3l.dll</c>, run with <c>dotnet</c>)
/// in the repository that holds this library, preferring the build configuration this library was
/// built in. <see cref="EnvironmentVariable"/> points elsewhere.
/// </summary>
public static class CliLocator
{
    /// <summary>The environment variable naming the CLI's dll explicitly.</summary>
    public const string EnvironmentVariable = "US3L_CLI";

    /// <summary>The path of <c>us3l.dll</c>; an error saying how to build it when it is missing.</summary>
    public static string Dll()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } explicitPath)
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new FileNotFoundException($"{EnvironmentVariable} names {explicitPath}, which does not exist.", explicitPath);
        var here = Path.GetDirectoryName(typeof(CliLocator).Assembly.Location) ?? AppContext.BaseDirectory;
        var root = RepositoryRoot(here) ?? throw new DirectoryNotFoundException(
            $"No repository (a folder with build.sh and src/) above {here}; set {EnvironmentVariable} to the path of us3l.dll.");
        // bin/Release/net10.0 → "Release": the CLI built alongside this library.
        var configuration = new DirectoryInfo(here).Parent?.Name;
        var candidates = new[] { configuration, "Release", "Debug" }.Where(c => c is { Length: > 0 }).Distinct()
            .Select(c => Path.Combine(root, "src", "US3L.Cli", "bin", c!, "net10.0", "us3l.dll")).ToArray();
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"The us3l CLI is not built ({string.Join(" or ", candidates)} is missing); build it with ./build.sh build.");
    }

    private static string? RepositoryRoot(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.sh")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        return null;
    }
}
