namespace US3L.Figures;

/// <summary>
/// plotly.js once per notebook: the first figure shown in this (kernel) process carries the whole
/// script, later ones only call <c>Plotly.newPlot</c>. The outputs then work offline and in
/// nbconvert's HTML without repeating 5 MB per figure. <see cref="Reset"/> when the output that
/// carried the script is gone (outputs cleared, a new notebook on the same kernel).
/// </summary>
public static class NotebookPlotly
{
    private static int _included;

    /// <summary>Whether a figure of this process already carried plotly.js.</summary>
    public static bool Included => Volatile.Read(ref _included) == 1;

    /// <summary>The figure's notebook HTML: with plotly.js the first time, without it afterwards.</summary>
    public static string Html(Figure figure)
    {
        // Read the script first: if it cannot be found, the next figure must still try to include it.
        bool first = !Included && PlotlyJs.Source.Length > 0 && Interlocked.Exchange(ref _included, 1) == 0;
        return FigureHtml.Fragment(figure, includePlotlyJs: first);
    }

    /// <summary>
    /// plotly.js alone, for a cell that will show figures and replace them in place: an output that
    /// is updated must not be the one carrying the script (each update would resend 5 MB, and the
    /// saved notebook keeps only the last one). Display this first; empty once a figure carried it.
    /// </summary>
    public static string ScriptHtml() =>
        !Included && PlotlyJs.Source.Length > 0 && Interlocked.Exchange(ref _included, 1) == 0 ? PlotlyJs.ScriptTag() : "";

    /// <summary>The next figure carries plotly.js again.</summary>
    public static void Reset() => Interlocked.Exchange(ref _included, 0);
}
