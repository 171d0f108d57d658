using System.Text.Json.Nodes;
using US3L.Kernel.Protocol;

namespace US3L.Kernel.Display;

/// <summary>
/// Where cell output goes: iopub messages whose parent is the request being executed, so the
/// frontend puts them under the right cell. Also owns the stdout/stderr writers.
/// </summary>
internal sealed class OutputSink
{
    private readonly Channels _channels;
    private volatile Message? _parent;

    public OutputSink(Channels channels)
    {
        _channels = channels;
        Stdout = new IopubStreamWriter(this, "stdout");
        Stderr = new IopubStreamWriter(this, "stderr");
    }

    /// <summary>The sink cell code talks to; null outside a kernel process.</summary>
    public static OutputSink? Current { get; set; }

    public IopubStreamWriter Stdout { get; }
    public IopubStreamWriter Stderr { get; }

    public Message? Parent
    {
        get => _parent;
        set => _parent = value;
    }

    public void Publish(string msgType, JsonObject content)
    {
        // Keep order: text printed before a display must appear before it.
        if (msgType != "stream") FlushStreams();
        _channels.Publish(msgType, content, _parent);
    }

    public void FlushStreams()
    {
        Stdout.Flush();
        Stderr.Flush();
    }
}
