using System.Text.Json.Nodes;

namespace US3L.Kernel.Display;

/// <summary>Functions every cell can call without a prefix (the script's globals).</summary>
public class CellGlobals
{
    /// <summary>Shows <paramref name="value"/> now; with mime types, shows it as those (e.g. "text/html").</summary>
    public DisplayHandle display(object? value, params string[] mimeTypes) => DisplayPublisher.Show(value, mimeTypes);

    /// <summary>Shows markup as HTML.</summary>
    public DisplayHandle HTML(string html) => DisplayPublisher.Show(new RawMime("text/html", html), []);

    /// <summary>Clears the cell's output; with <paramref name="wait"/>, when the next output arrives.</summary>
    public void ClearOutput(bool wait = false) =>
        OutputSink.Current?.Publish("clear_output", new JsonObject { ["wait"] = wait });
}

/// <summary><c>x.Display()</c>, the Polyglot spelling of <c>display(x)</c>.</summary>
public static class DisplayExtensions
{
    public static DisplayHandle Display(this object? value, params string[] mimeTypes) => DisplayPublisher.Show(value, mimeTypes);
}
