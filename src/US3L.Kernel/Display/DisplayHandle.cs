using System.Text.Json.Nodes;

namespace US3L.Kernel.Display;

/// <summary>A shown output that can be replaced in place (update_display_data with the same display_id).</summary>
public sealed class DisplayHandle
{
    internal DisplayHandle(string displayId) => DisplayId = displayId;

    public string DisplayId { get; }

    /// <summary>Replaces the shown output with <paramref name="newValue"/>.</summary>
    public void Update(object? newValue, params string[] mimeTypes) =>
        DisplayPublisher.Send("update_display_data", newValue, mimeTypes, DisplayId);
}

/// <summary>Sends display messages for the running cell.</summary>
internal static class DisplayPublisher
{
    public static DisplayHandle Show(object? value, string[] mimeTypes)
    {
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"));
        Send("display_data", value, mimeTypes, handle.DisplayId);
        return handle;
    }

    public static void Send(string msgType, object? value, string[] mimeTypes, string displayId)
    {
        OutputSink sink = OutputSink.Current
            ?? throw new InvalidOperationException("display needs a running US3L kernel (no notebook is attached to this process)");
        sink.Publish(msgType, new JsonObject
        {
            ["data"] = MimeBundle.From(value, mimeTypes),
            ["metadata"] = new JsonObject(),
            ["transient"] = new JsonObject { ["display_id"] = displayId },
        });
    }
}
