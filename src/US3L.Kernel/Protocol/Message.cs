using System.Text.Json.Nodes;

namespace US3L.Kernel.Protocol;

/// <summary>
/// One Jupyter message (protocol 5.3). <see cref="Identities"/> are the zmq routing frames that
/// carry a reply back to the peer that sent the request.
/// </summary>
internal sealed class Message
{
    public const string ProtocolVersion = "5.3";

    public required IReadOnlyList<byte[]> Identities { get; init; }
    public required JsonObject Header { get; init; }
    public required JsonObject ParentHeader { get; init; }
    public required JsonObject Metadata { get; init; }
    public required JsonObject Content { get; init; }
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MsgType => (string?)Header["msg_type"] ?? "";
    public string MsgId => (string?)Header["msg_id"] ?? "";

    /// <summary>A new message whose parent is <paramref name="parent"/> (null for unsolicited ones).</summary>
    public static Message Create(string msgType, JsonObject content, Message? parent, string session, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? parent?.Identities ?? [],
        Header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = session,
            ["username"] = "kernel",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["msg_type"] = msgType,
            ["version"] = ProtocolVersion,
        },
        ParentHeader = parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
        Metadata = [],
        Content = content,
    };
}
