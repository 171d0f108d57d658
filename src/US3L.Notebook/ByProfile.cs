namespace US3L.Notebook;

/// <summary>
/// The settings of a notebook for each of its profiles: <c>smoke</c> (a pipeline check for tests),
/// <c>short</c> (minutes on a 2-core machine) and <c>full</c> (a GPU). Indexing by the notebook's
/// <c>profile</c> parameter picks one; any other name is an error that lists the three.
/// <code>
/// var plans = new ByProfile&lt;Plan&gt; { Smoke = new(...), Short = new(...), Full = new(...) };
/// var plan = plans[profile];
/// </code>
/// </summary>
public sealed class ByProfile<T>
{
    /// <summary>The profile names, in order of size.</summary>
    public static IReadOnlyList<string> Names { get; } = ["smoke", "short", "full"];

    public T? Smoke { get; init; }
    public T? Short { get; init; }
    public T? Full { get; init; }

    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public T this[string profile]
    {
        get
        {
            var value = profile switch
            {
                "smoke" => Smoke,
                "short" => Short,
                "full" => Full,
                _ => throw new ArgumentException($"profile must be one of {string.Join(", ", Names)}; got '{profile}'.", nameof(profile)),
            };
            return value ?? throw new ArgumentException($"This notebook has no settings for profile '{profile}'.", nameof(profile));
        }
    }
}
