namespace US3L.Figures;

/// <summary>
/// Finds plotly.js (npm's plotly.js-dist-min, installed by <c>./build.sh setup</c> into the
/// repository's git-ignored build/npm): <c>US3L_PLOTLY_JS</c> names the file, otherwise the build
/// folder is searched upward from this assembly's folder (and the app's).
/// </summary>
public static class PlotlyJs
{
    public const string EnvironmentVariable = "US3L_PLOTLY_JS";
    internal const string RelativePath = "build/npm/node_modules/plotly.js-dist-min/plotly.min.js";

    private static readonly Lazy<string> _source = new(() => File.ReadAllText(Locate()));

    /// <summary>The script's text (read once per process; about 5 MB).</summary>
    public static string Source => _source.Value;

    /// <summary>The path of plotly.min.js, or a clear error saying how to install it.</summary>
    public static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{EnvironmentVariable} names '{configured}', which does not exist.", configured);
        var starts = new[] { Path.GetDirectoryName(typeof(PlotlyJs).Assembly.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d)).Select(d => d!).Distinct().ToList();
        foreach (string start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException(
            $"plotly.js was not found: run ./build.sh setup in the repository (it installs {RelativePath}) " +
            $"or set {EnvironmentVariable} to a plotly.min.js. Searched upward from: {string.Join(", ", starts)}.");
    }

    /// <summary>The script as an HTML script element.</summary>
    internal static string ScriptTag() =>
        // A literal "</script" inside would end the element early; "<\/" means the same in JavaScript.
        $"<script type=\"text/javascript\" {FigureFragments.PlotlyJsAttribute}>" + Source.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) + "</script>\n";
}
