using System.Collections.Immutable;

namespace US3L.Figures;

/// <summary>
/// A plotly.js figure: traces plus layout. Immutable: every <c>With...</c>/<c>And</c> returns a new
/// figure, so a cell can derive variants from one figure. Build with the factories
/// (<see cref="Line{TX,TY}"/>, <see cref="Bar{T}"/>, ...), combine with <see cref="And(Figure)"/>,
/// lay out several with <see cref="Grid"/>, then show it in a notebook, <see cref="ToJson"/>,
/// <see cref="SaveHtml"/> or <see cref="SavePng"/>.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = ["text/html"])]
public sealed partial record Figure
{
    /// <summary>The traces of a single-panel figure (empty for a grid: see <see cref="Subplots"/>).</summary>
    public ImmutableList<Trace> Traces { get; init; } = [];
    public string? Title { get; init; }
    public Axis XAxis { get; init; } = new();
    public Axis YAxis { get; init; } = new();
    public LegendPlace Legend { get; init; }
    public BarMode BarMode { get; init; }
    /// <summary>Pixels; null fills the output's width.</summary>
    public int? Width { get; init; }
    /// <summary>Pixels; null uses a default that grows with the number of grid rows.</summary>
    public int? Height { get; init; }
    /// <summary>Panels laid out in a grid; null for a single panel.</summary>
    public Subplots? Subplots { get; init; }

    /// <summary>A figure of the given traces.</summary>
    public static Figure Of(params IEnumerable<Trace> traces)
    {
        var list = traces.ToImmutableList();
        foreach (Trace t in list) t.Validate();
        return new Figure { Traces = list };
    }

    /// <summary>This figure's traces followed by <paramref name="other"/>'s, with this figure's layout.</summary>
    public Figure And(Figure other)
    {
        RequireSinglePanel("And");
        other.RequireSinglePanel("And");
        return this with { Traces = Traces.AddRange(other.Traces) };
    }

    /// <summary>This figure with one more trace.</summary>
    public Figure And(Trace trace)
    {
        RequireSinglePanel("And");
        trace.Validate();
        return this with { Traces = Traces.Add(trace) };
    }

    public Figure WithTitle(string? title) => this with { Title = title };

    /// <summary>Changes the named x-axis settings (of every panel of a grid); omitted ones are kept.</summary>
    public Figure WithXAxis(string? title = null, bool? log = null, (double Min, double Max)? range = null,
        string? tickFormat = null, bool? reversed = null) =>
        MapAxes(a => a.With(title, log, range, tickFormat, reversed), x: true);

    /// <summary>Changes the named y-axis settings (of every panel of a grid); omitted ones are kept.</summary>
    public Figure WithYAxis(string? title = null, bool? log = null, (double Min, double Max)? range = null,
        string? tickFormat = null, bool? reversed = null) =>
        MapAxes(a => a.With(title, log, range, tickFormat, reversed), x: false);

    public Figure WithLegend(LegendPlace place) => this with { Legend = place };

    public Figure WithBarMode(BarMode mode) => this with { BarMode = mode };

    public Figure WithSize(int? width = null, int? height = null)
    {
        if (width is <= 0 || height is <= 0) throw new ArgumentException($"Figure size must be positive, got {width} x {height}.");
        return this with { Width = width, Height = height };
    }

    /// <summary>Number of plotly traces drawn (a line with a band counts three).</summary>
    public int PlotlyTraceCount => FigureJson.Data(this).Count;

    /// <summary>A short description, the figure's text/plain form.</summary>
    public override string ToString()
    {
        string what = Subplots is { } s
            ? $"{s.Panels.Count} panels in {s.Rows}x{s.Columns}, {s.Panels.Sum(p => p.Traces.Count)} traces"
            : $"{Traces.Count} trace{(Traces.Count == 1 ? "" : "s")}" +
              (Traces.Count > 0 ? ": " + string.Join(", ", Traces.Select(Describe)) : "");
        return Title is null ? $"Figure({what})" : $"Figure(\"{Title}\", {what})";
    }

    private static string Describe(Trace t)
    {
        string kind = t.GetType().Name.Replace("Trace", "").ToLowerInvariant();
        return t.Name is null ? kind : $"{kind} {t.Name}";
    }

    private Figure MapAxes(Func<Axis, Axis> change, bool x)
    {
        Figure Apply(Figure f) => x ? f with { XAxis = change(f.XAxis) } : f with { YAxis = change(f.YAxis) };
        Figure result = Apply(this);
        if (Subplots is { } s) result = result with { Subplots = s with { Panels = s.Panels.Select(Apply).ToImmutableList() } };
        return result;
    }

    internal void RequireSinglePanel(string operation)
    {
        if (Subplots is not null)
            throw new InvalidOperationException(
                $"{operation} needs a single-panel figure, got a grid; combine the panels' traces before Figure.Grid.");
    }
}
