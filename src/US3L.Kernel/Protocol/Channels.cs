using System.Text.Json.Nodes;
using US3L.Kernel.Zmq;

namespace US3L.Kernel.Protocol;

/// <summary>
/// The five sockets of a kernel, bound to the connection file's address only, plus signing.
/// iopub may be written from any thread (cell output streams while the shell thread waits),
/// so its sends are serialised here; every other socket belongs to one thread.
/// </summary>
internal sealed class Channels : IDisposable
{
    private readonly ZmqContext _context = new();
    private readonly object _iopubLock = new();
    private readonly WireCodec _codec;

    public Channels(ConnectionInfo info)
    {
        _codec = new WireCodec(info.Key, MaxMessageBytes());
        Shell = new ZmqSocket(_context, LibZmq.ZMQ_ROUTER, info.Endpoint(info.ShellPort));
        Control = new ZmqSocket(_context, LibZmq.ZMQ_ROUTER, info.Endpoint(info.ControlPort));
        Stdin = new ZmqSocket(_context, LibZmq.ZMQ_ROUTER, info.Endpoint(info.StdinPort));
        Iopub = new ZmqSocket(_context, LibZmq.ZMQ_PUB, info.Endpoint(info.IopubPort));
        Heartbeat = new ZmqSocket(_context, LibZmq.ZMQ_REP, info.Endpoint(info.HbPort));
    }

    /// <summary>US3L_KERNEL_MAX_MESSAGE_BYTES overrides the size limit of incoming messages (tests use a small one).</summary>
    private static long MaxMessageBytes() =>
        long.TryParse(Environment.GetEnvironmentVariable("US3L_KERNEL_MAX_MESSAGE_BYTES"), out long limit) && limit > 0 ? limit : WireCodec.DefaultMaxMessageBytes;

    /// <summary>Identifies this kernel process in the headers it sends.</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    public ZmqSocket Shell { get; }
    public ZmqSocket Control { get; }
    public ZmqSocket Stdin { get; }
    public ZmqSocket Iopub { get; }
    public ZmqSocket Heartbeat { get; }

    /// <summary>Receives and verifies one message; rejected ones are logged and skipped (null).</summary>
    public Message? TryReceive(ZmqSocket socket, string channel)
    {
        List<byte[]>? frames = socket.TryReceive();
        if (frames is null) return null;
        try
        {
            return _codec.Decode(frames);
        }
        catch (InvalidDataException e)
        {
            KernelLog.Warn($"rejected a message on {channel}: {e.Message.ReplaceLineEndings(" ")}");
            return null;
        }
    }

    public void Send(ZmqSocket socket, string msgType, JsonObject content, Message parent) =>
        socket.Send(_codec.Encode(Message.Create(msgType, content, parent, Session)));

    public void Publish(string msgType, JsonObject content, Message? parent)
    {
        // The topic frame lets subscribers filter; frontends subscribe to everything.
        var message = Message.Create(msgType, content, parent, Session, [System.Text.Encoding.ASCII.GetBytes($"kernel.{Session}.{msgType}")]);
        List<byte[]> frames = _codec.Encode(message);
        lock (_iopubLock) Iopub.Send(frames);
    }

    public void PublishStatus(string state, Message? parent) =>
        Publish("status", new JsonObject { ["execution_state"] = state }, parent);

    public void Dispose()
    {
        Shell.Dispose();
        Control.Dispose();
        Stdin.Dispose();
        lock (_iopubLock) Iopub.Dispose();
        Heartbeat.Dispose();
        _context.Dispose();
    }
}
