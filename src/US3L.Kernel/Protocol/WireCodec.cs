using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Kernel.Protocol;

/// <summary>
/// Frames messages for the wire and checks incoming ones:
/// <c>[identities..., "&lt;IDS|MSG&gt;", signature, header, parent_header, metadata, content, buffers...]</c>.
/// A message is accepted only when it is within the size limit, its HMAC-SHA256 signature is
/// right and not seen before (no replays), its four JSON frames are objects, and its header
/// names a msg_id and a msg_type.
/// </summary>
internal sealed class WireCodec
{
    /// <summary>The default limit of one message's frames together (a cell of 64 MiB is not a cell).</summary>
    public const long DefaultMaxMessageBytes = 64L << 20;
    private static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();
    private readonly byte[] _key;
    private readonly long _maxMessageBytes;
    private readonly ReplayGuard _replays = new();

    public WireCodec(string key, long maxMessageBytes = DefaultMaxMessageBytes)
    {
        _key = Encoding.UTF8.GetBytes(key);
        _maxMessageBytes = maxMessageBytes;
    }

    public List<byte[]> Encode(Message message)
    {
        byte[] header = Json(message.Header), parent = Json(message.ParentHeader);
        byte[] metadata = Json(message.Metadata), content = Json(message.Content);
        var frames = new List<byte[]>(message.Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(Sign(header, parent, metadata, content)));
        frames.AddRange([header, parent, metadata, content]);
        frames.AddRange(message.Buffers);
        return frames;
    }

    /// <summary>Parses and verifies a message; throws <see cref="InvalidDataException"/> saying why it is rejected.</summary>
    public Message Decode(List<byte[]> frames)
    {
        long size = frames.Sum(f => (long)f.Length);
        if (size > _maxMessageBytes) throw new InvalidDataException($"message of {size} bytes exceeds the limit of {_maxMessageBytes} bytes");
        int split = frames.FindIndex(f => f.AsSpan().SequenceEqual(Delimiter));
        if (split < 0) throw new InvalidDataException("no <IDS|MSG> delimiter");
        if (frames.Count < split + 6) throw new InvalidDataException($"expected 5 frames after the delimiter, got {frames.Count - split - 1}");
        byte[] signature = frames[split + 1];
        byte[] header = frames[split + 2], parent = frames[split + 3], metadata = frames[split + 4], content = frames[split + 5];
        if (_key.Length > 0)
        {
            byte[] expected = Encoding.ASCII.GetBytes(Sign(header, parent, metadata, content));
            if (!CryptographicOperations.FixedTimeEquals(expected, signature))
                throw new InvalidDataException(signature.Length == 0 ? "message is not signed" : "bad HMAC signature");
            if (!_replays.FirstUse(Encoding.ASCII.GetString(signature)))
                throw new InvalidDataException("replayed message: its signature was already used");
        }
        JsonObject parsedHeader = ParseObject(header, "header");
        foreach (string field in (string[])["msg_id", "msg_type"])
        {
            if (parsedHeader[field] is not JsonValue value || !value.TryGetValue(out string? text) || text.Length == 0)
                throw new InvalidDataException($"header.{field} is missing or not a non-empty string");
        }
        return new Message
        {
            Identities = frames.GetRange(0, split),
            Header = parsedHeader,
            ParentHeader = ParseObject(parent, "parent_header"),
            Metadata = ParseObject(metadata, "metadata"),
            Content = ParseObject(content, "content"),
            Buffers = frames.GetRange(split + 6, frames.Count - split - 6),
        };
    }

    private string Sign(params byte[][] parts)
    {
        if (_key.Length == 0) return "";
        using var hmac = new HMACSHA256(_key);
        foreach (byte[] part in parts) hmac.TransformBlock(part, 0, part.Length, null, 0);
        hmac.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(hmac.Hash!);
    }

    /// <summary>
    /// The bytes JsonSerializer would write, written by the node itself: the reflection
    /// serializer's set-up would cost the kernel's start tens of milliseconds.
    /// </summary>
    private static byte[] Json(JsonObject node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) node.WriteTo(writer);
        return buffer.WrittenSpan.ToArray();
    }

    private static JsonObject ParseObject(byte[] bytes, string what)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new InvalidDataException($"{what} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}");
        }
    }
}
