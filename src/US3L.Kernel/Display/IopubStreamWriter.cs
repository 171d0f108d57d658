using System.Text;
using System.Text.Json.Nodes;

namespace US3L.Kernel.Display;

/// <summary>
/// Console.Out/Error of cells: text becomes iopub <c>stream</c> messages while the cell runs.
/// Whole lines go out at once; a partial line (a progress bar) goes out after a short delay.
/// </summary>
internal sealed class IopubStreamWriter : TextWriter
{
    private const int PartialLineDelayMs = 100;
    private readonly OutputSink _sink;
    private readonly string _name;
    private readonly StringBuilder _buffer = new();
    private readonly Lock _flushLock = new();
    private readonly Timer _timer;

    public IopubStreamWriter(OutputSink sink, string name)
    {
        _sink = sink;
        _name = name;
        _timer = new Timer(_ => Flush(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_buffer) _buffer.Append(value);
        AfterWrite(value == '\n');
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_buffer) _buffer.Append(value);
        AfterWrite(value.Contains('\n'));
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (count == 0) return;
        lock (_buffer) _buffer.Append(buffer, index, count);
        AfterWrite(Array.IndexOf(buffer, '\n', index, count) >= 0);
    }

    public override void Flush()
    {
        // One flush at a time, so the timer and the cell thread cannot reorder text.
        lock (_flushLock)
        {
            string text;
            lock (_buffer)
            {
                if (_buffer.Length == 0) return;
                text = _buffer.ToString();
                _buffer.Clear();
            }
            _sink.Publish("stream", new JsonObject { ["name"] = _name, ["text"] = text });
        }
    }

    private void AfterWrite(bool newline)
    {
        if (newline) Flush();
        else _timer.Change(PartialLineDelayMs, Timeout.Infinite);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _timer.Dispose();
        base.Dispose(disposing);
    }
}
