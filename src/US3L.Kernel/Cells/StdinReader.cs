using System.Text.Json.Nodes;
using US3L.Kernel.Protocol;

namespace US3L.Kernel.Cells;

/// <summary>
/// Console.In of cells: Console.ReadLine() asks the frontend through the stdin channel
/// (input_request / input_reply), when the frontend allowed input for this cell.
/// </summary>
internal sealed class StdinReader(Channels channels, Func<Message?> currentRequest) : TextReader
{
    public override string? ReadLine()
    {
        Message request = currentRequest()
            ?? throw new InvalidOperationException("Console.ReadLine needs a running cell");
        if (!((bool?)request.Content["allow_stdin"] ?? false))
            throw new InvalidOperationException("this frontend does not accept input (allow_stdin is false); pass values in code instead");
        Display.OutputSink.Current?.FlushStreams();
        channels.Send(channels.Stdin, "input_request", new JsonObject { ["prompt"] = "", ["password"] = false }, request);
        while (true)
        {
            KernelContext.ThrowIfInterrupted();
            if (!channels.Stdin.Poll(100)) continue;
            Message? reply = channels.TryReceive(channels.Stdin, "stdin");
            if (reply?.MsgType == "input_reply") return (string?)reply.Content["value"] ?? "";
        }
    }

    public override int Read() => throw new NotSupportedException("read whole lines with Console.ReadLine()");
}
