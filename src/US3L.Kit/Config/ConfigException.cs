namespace US3L.Config;

/// <summary>
/// A recipe or override that cannot become a valid config. The message is one line and starts with
/// where the problem is: <c>file.yaml:12: ...</c>, <c>--set epochs=x: ...</c> or the recipe name.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string where, int? line, string problem, Exception? inner = null)
        : base($"{where}{(line is { } l ? $":{l}" : "")}: {problem}", inner)
    {
        Where = where;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file, recipe or override the problem is in.</summary>
    public string Where { get; }

    /// <summary>1-based line in <see cref="Where"/>, when known.</summary>
    public int? Line { get; }

    /// <summary>The problem without its location.</summary>
    public string Problem { get; }
}
