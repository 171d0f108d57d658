using System.Runtime.InteropServices;

namespace US3L.Kernel.Zmq;

/// <summary>The few libzmq entry points the kernel needs, bound to Debian's <c>libzmq.so.5</c>.</summary>
internal static unsafe partial class LibZmq
{
    private const string Lib = "libzmq.so.5";

    public const int ZMQ_PUB = 1, ZMQ_REP = 4, ZMQ_ROUTER = 6;
    public const int ZMQ_RCVMORE = 13, ZMQ_LINGER = 17, ZMQ_ROUTER_HANDOVER = 56;
    public const int ZMQ_DONTWAIT = 1, ZMQ_SNDMORE = 2;
    public const short ZMQ_POLLIN = 1;
    public const int EINTR = 4, EAGAIN = 11;

    /// <summary>zmq_msg_t is an opaque 64-byte, pointer-aligned block.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Msg
    {
        private fixed long _data[8];
    }

    /// <summary>zmq_pollitem_t on Linux: socket pointer, fd, events, revents.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollItem
    {
        public nint Socket;
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib)] public static partial nint zmq_ctx_new();
    [LibraryImport(Lib)] public static partial int zmq_ctx_term(nint ctx);
    [LibraryImport(Lib)] public static partial nint zmq_socket(nint ctx, int type);
    [LibraryImport(Lib)] public static partial int zmq_close(nint socket);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int zmq_bind(nint socket, string endpoint);
    [LibraryImport(Lib)] public static partial int zmq_setsockopt(nint socket, int option, void* value, nuint length);
    [LibraryImport(Lib)] public static partial int zmq_getsockopt(nint socket, int option, void* value, nuint* length);
    [LibraryImport(Lib)] public static partial int zmq_msg_init(Msg* msg);
    [LibraryImport(Lib)] public static partial int zmq_msg_recv(Msg* msg, nint socket, int flags);
    [LibraryImport(Lib)] public static partial void* zmq_msg_data(Msg* msg);
    [LibraryImport(Lib)] public static partial nuint zmq_msg_size(Msg* msg);
    [LibraryImport(Lib)] public static partial int zmq_msg_more(Msg* msg);
    [LibraryImport(Lib)] public static partial int zmq_msg_close(Msg* msg);
    [LibraryImport(Lib)] public static partial int zmq_send(nint socket, void* buffer, nuint length, int flags);
    [LibraryImport(Lib)] public static partial int zmq_poll(PollItem* items, int count, long timeoutMs);
    [LibraryImport(Lib)] public static partial int zmq_errno();
    [LibraryImport(Lib)] public static partial nint zmq_strerror(int errnum);

    public static string LastError() => Marshal.PtrToStringUTF8(zmq_strerror(zmq_errno())) ?? "unknown zmq error";
}
