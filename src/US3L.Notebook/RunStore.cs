using System.Security.Cryptography;
using System.Text;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// Where notebooks keep their runs: one folder per resolved config, named by a label and a hash
/// of the config, so re-running a cell with the same settings finds the finished run instead of
/// training again, and any change of setting (seed, epochs, a switch) trains a new one.
/// </summary>
public static class RunStore
{
    /// <summary>The environment variable that moves the store (default: <c>runs/notebooks</c> in the repository).</summary>
    public const string EnvironmentVariable = "US3L_NOTEBOOK_RUNS";

    private static string? _root;

    /// <summary>The folder holding every notebook run (created on first use).</summary>
    public static string Root
    {
        get => _root ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(RepositoryRoot(), "runs", "notebooks");
        set => _root = Path.GetFullPath(value);
    }

    /// <summary>The first 12 hex digits of the SHA-256 of the config as saved in a run's <c>config.json</c>.</summary>
    public static string Hash(PretrainConfig config) => Hash(ConfigJson.Write(config));

    /// <summary>The first 12 hex digits of the SHA-256 of <paramref name="text"/>.</summary>
    public static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>The run folder of <paramref name="config"/> under the label: <c>ROOT/label-hash</c>.</summary>
    public static string FolderFor(string label, PretrainConfig config) => Path.Combine(Root, $"{Slug(label)}-{Hash(config)}");

    /// <summary>A label as a folder name: letters, digits, '.', '-' and '_' kept, anything else becomes '-'.</summary>
    public static string Slug(string label)
    {
        if (string.IsNullOrWhiteSpace(label)) throw new ArgumentException("A run needs a label (it names the run folder).", nameof(label));
        var slug = new StringBuilder(label.Length);
        foreach (char c in label.Trim()) slug.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-');
        return slug.ToString();
    }

    /// <summary>The repository holding this library's build output (the folder with <c>build.sh</c>), else the current folder.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(typeof(RunStore).Assembly.Location) ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.sh")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
