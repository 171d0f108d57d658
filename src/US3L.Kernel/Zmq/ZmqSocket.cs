using static US3L.Kernel.Zmq.LibZmq;

namespace US3L.Kernel.Zmq;

/// <summary>
/// One ZeroMQ socket speaking whole multipart messages. A zmq socket is not thread-safe: each
/// socket here is used by one thread, except iopub, whose sends the publisher serialises.
/// </summary>
internal sealed unsafe class ZmqSocket : IDisposable
{
    private nint _handle;

    public ZmqSocket(ZmqContext context, int type, string endpoint)
    {
        _handle = zmq_socket(context.Handle, type);
        if (_handle == 0) throw new InvalidOperationException($"zmq_socket({type}) failed: {LastError()}");
        // Pending messages must not keep the process alive at shutdown.
        int linger = 0;
        zmq_setsockopt(_handle, ZMQ_LINGER, &linger, sizeof(int));
        if (type == ZMQ_ROUTER)
        {
            // A restarted client reconnects with the same identity; let the new peer take it over.
            int handover = 1;
            zmq_setsockopt(_handle, ZMQ_ROUTER_HANDOVER, &handover, sizeof(int));
        }
        if (zmq_bind(_handle, endpoint) != 0)
        {
            string error = LastError();
            zmq_close(_handle);
            _handle = 0;
            throw new InvalidOperationException($"cannot bind {endpoint}: {error}");
        }
    }

    public nint Handle => _handle;

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a message; true when one is ready.</summary>
    public bool Poll(int timeoutMs)
    {
        var item = new PollItem { Socket = _handle, Events = ZMQ_POLLIN };
        int rc = zmq_poll(&item, 1, timeoutMs);
        return rc > 0 && (item.Revents & ZMQ_POLLIN) != 0;
    }

    /// <summary>Receives every frame of the next message, or null when none is ready.</summary>
    public List<byte[]>? TryReceive()
    {
        var frames = new List<byte[]>();
        Msg msg;
        while (true)
        {
            zmq_msg_init(&msg);
            int n = zmq_msg_recv(&msg, _handle, frames.Count == 0 ? ZMQ_DONTWAIT : 0);
            if (n < 0)
            {
                int errno = zmq_errno();
                zmq_msg_close(&msg);
                if (errno == EAGAIN && frames.Count == 0) return null;
                if (errno == EINTR) continue;
                throw new InvalidOperationException($"zmq_msg_recv failed: {LastError()}");
            }
            frames.Add(new ReadOnlySpan<byte>(zmq_msg_data(&msg), (int)zmq_msg_size(&msg)).ToArray());
            bool more = zmq_msg_more(&msg) != 0;
            zmq_msg_close(&msg);
            if (!more) return frames;
        }
    }

    public void Send(IReadOnlyList<byte[]> frames)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            int flags = i < frames.Count - 1 ? ZMQ_SNDMORE : 0;
            fixed (byte* p = frames[i])
            {
                while (zmq_send(_handle, p, (nuint)frames[i].Length, flags) < 0)
                {
                    if (zmq_errno() != EINTR) throw new InvalidOperationException($"zmq_send failed: {LastError()}");
                }
            }
        }
    }

    public void Dispose()
    {
        if (_handle != 0) zmq_close(_handle);
        _handle = 0;
    }
}

/// <summary>The zmq context that owns the kernel's sockets.</summary>
internal sealed class ZmqContext : IDisposable
{
    public ZmqContext()
    {
        Handle = zmq_ctx_new();
        if (Handle == 0) throw new InvalidOperationException($"zmq_ctx_new failed: {LastError()}");
    }

    public nint Handle { get; private set; }

    public void Dispose()
    {
        if (Handle != 0) zmq_ctx_term(Handle);
        Handle = 0;
    }
}
