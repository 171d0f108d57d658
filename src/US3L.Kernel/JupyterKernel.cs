using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using US3L.Kernel.Cells;
using US3L.Kernel.Display;
using US3L.Kernel.Packages;
using US3L.Kernel.Protocol;

namespace US3L.Kernel;

/// <summary>
/// The kernel process: the shell loop runs cells on the main thread; control (interrupt,
/// shutdown) and heartbeat each have a thread of their own so they answer while a cell runs.
/// </summary>
internal sealed class JupyterKernel : IDisposable
{
    private const int PollMs = 100;
    private readonly Channels _channels;
    private readonly OutputSink _output;
    private readonly CellHost _cells;
    private readonly PackageManager _packages = new();
    private readonly CellRunner _runner;
    private readonly CodeIntelligence _intelligence;
    private readonly History _history = new();
    private readonly ShellHandlers _shell;
    private volatile bool _stopping;
    private volatile bool _restart;
    private int _executionCount;
    private Message? _executing;

    /// <param name="cells">The cell host, made first of all so that its warm-up is already running.</param>
    public JupyterKernel(ConnectionInfo connection, CellHost cells)
    {
        _cells = cells;
        _runner = new CellRunner(_cells, _packages);
        _channels = new Channels(connection);
        _output = new OutputSink(_channels);
        _intelligence = new CodeIntelligence(_cells);
        _shell = new ShellHandlers(this);
    }

    public int Run()
    {
        OutputSink.Current = _output;
        KernelContext.IsRunningInKernel = true;
        Console.SetOut(_output.Stdout);
        Console.SetError(_output.Stderr);
        Console.SetIn(new StdinReader(_channels, () => _executing));
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            // Signal-mode interrupts: stop the running cell, not the kernel.
            context.Cancel = true;
            KernelContext.Interrupt();
        });
        var heartbeat = new Thread(HeartbeatLoop) { IsBackground = true, Name = "heartbeat" };
        var control = new Thread(ControlLoop) { IsBackground = true, Name = "control" };
        heartbeat.Start();
        control.Start();
        ParentWatchdog.Start();
        _channels.PublishStatus("starting", null);

        while (!_stopping)
        {
            if (!_channels.Shell.Poll(PollMs)) continue;
            Message? request = _channels.TryReceive(_channels.Shell, "shell");
            if (request is not null) Handle(request, _channels.Shell, isControl: false);
        }
        _output.FlushStreams();
        return 0;
    }

    public bool RestartRequested => _restart;

    private static readonly HashSet<string> Served =
    [
        "kernel_info_request", "execute_request", "complete_request", "inspect_request", "is_complete_request",
        "history_request", "comm_info_request", "interrupt_request", "shutdown_request", "comm_open", "comm_msg", "comm_close",
    ];

    private void Handle(Message request, Zmq.ZmqSocket socket, bool isControl)
    {
        string channel = isControl ? "control" : "shell";
        if (!Served.Contains(request.MsgType))
        {
            // The spec lets a kernel ignore what it does not know; the log says it did.
            KernelLog.Warn($"rejected a message on {channel}: unknown msg_type '{Printable(request.MsgType)}'");
            return;
        }
        if (RequestSchema.Problem(request.MsgType, request.Content) is { } problem)
        {
            // Signed by a client that holds the key, but malformed: refuse it without running any
            // of it, and answer, so that client does not wait forever.
            KernelLog.Warn($"rejected a message on {channel}: {problem}");
            _channels.Send(socket, request.MsgType.Replace("_request", "_reply"),
                new JsonObject { ["status"] = "error", ["ename"] = "BadRequest", ["evalue"] = problem, ["traceback"] = new JsonArray() }, request);
            return;
        }
        if (isControl && request.MsgType == "execute_request")
        {
            KernelLog.Warn($"rejected a message on {channel}: execute_request is served on shell, not control");
            return;
        }
        _channels.PublishStatus("busy", request);
        try
        {
            (string replyType, JsonObject content)? reply = request.MsgType switch
            {
                "kernel_info_request" => ("kernel_info_reply", KernelInfo.Reply()),
                "execute_request" => ("execute_reply", Execute(request)),
                "complete_request" => ("complete_reply", _shell.Complete(request.Content)),
                "inspect_request" => ("inspect_reply", _shell.Inspect(request.Content)),
                "is_complete_request" => ("is_complete_reply", _shell.IsComplete(request.Content)),
                "history_request" => ("history_reply", new JsonObject { ["status"] = "ok", ["history"] = _history.Query(request.Content) }),
                "comm_info_request" => ("comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() }),
                "interrupt_request" => ("interrupt_reply", Interrupt()),
                "shutdown_request" => ("shutdown_reply", Shutdown(request.Content)),
                // Comms are not supported; opening one is answered by silence, as the spec allows.
                "comm_open" or "comm_msg" or "comm_close" => null,
                _ => null,
            };
            if (reply is { } r) _channels.Send(socket, r.replyType, r.content, request);
        }
        catch (Exception e)
        {
            // A request the kernel cannot serve must not take the kernel down.
            KernelLog.Warn($"{request.MsgType} failed: {e}");
        }
        finally
        {
            _channels.PublishStatus("idle", request);
            if (request.MsgType == "execute_request") _cells.CellAnswered();
        }
    }

    /// <summary>A msg_type as it may appear in the log: short, one line.</summary>
    private static string Printable(string text)
    {
        string line = new(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 80 ? line + "..." : line;
    }

    private JsonObject Execute(Message request)
    {
        string code = (string?)request.Content["code"] ?? "";
        bool silent = (bool?)request.Content["silent"] ?? false;
        bool storeHistory = !silent && ((bool?)request.Content["store_history"] ?? true);
        if (storeHistory) _executionCount++;
        int count = _executionCount;
        if (!silent) _channels.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);

        _output.Parent = request;
        _executing = request;
        CellResult result;
        try
        {
            result = _runner.Run(code, KernelContext.BeginCell());
        }
        catch (Exception e)
        {
            // The cell host reports user errors itself; anything escaping it (e.g. a crash inside
            // the compiler) must still answer the request, or the client waits forever.
            KernelLog.Warn($"execute failed inside the cell host: {e}");
            result = new CellResult(false, null, new CellError(e.GetType().Name,
                $"the kernel could not run this cell: {e.Message}", e.ToString().Split('\n')));
        }
        finally
        {
            _executing = null;
            _output.FlushStreams();
        }

        string? shown = null;
        if (result.Error is { } error)
        {
            _output.Publish("error", ErrorContent(error));
            if (storeHistory) _history.Add(count, code, null);
            JsonObject reply = ErrorContent(error);
            reply["status"] = "error";
            reply["execution_count"] = count;
            return reply;
        }
        if (result.HasValue && result.Value is not null && !silent)
        {
            JsonObject data = MimeBundle.From(result.Value);
            shown = (string?)data["text/plain"];
            _output.Publish("execute_result", new JsonObject { ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject() });
        }
        if (storeHistory) _history.Add(count, code, shown);
        return new JsonObject
        {
            ["status"] = "ok",
            ["execution_count"] = count,
            ["payload"] = new JsonArray(),
            ["user_expressions"] = new JsonObject(),
        };
    }

    private static JsonObject ErrorContent(CellError error) => new()
    {
        ["ename"] = error.Name,
        ["evalue"] = error.Value,
        ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
    };

    private static JsonObject Interrupt()
    {
        KernelContext.Interrupt();
        return new JsonObject { ["status"] = "ok" };
    }

    private JsonObject Shutdown(JsonObject content)
    {
        _restart = (bool?)content["restart"] ?? false;
        _stopping = true;
        KernelContext.Interrupt();
        return new JsonObject { ["status"] = "ok", ["restart"] = _restart };
    }

    internal CodeIntelligence Intelligence => _intelligence;

    private void ControlLoop()
    {
        while (!_stopping)
        {
            if (!_channels.Control.Poll(PollMs)) continue;
            Message? request = _channels.TryReceive(_channels.Control, "control");
            if (request is not null) Handle(request, _channels.Control, isControl: true);
        }
        // The shell thread may be inside a cell that ignores interrupts; do not wait for it forever.
        Thread.Sleep(2000);
        KernelLog.Warn("a cell did not stop after shutdown; exiting anyway");
        Environment.Exit(0);
    }

    private void HeartbeatLoop()
    {
        // The heartbeat is an echo: the frontend checks the process is alive even while a cell runs.
        while (!_stopping)
        {
            try
            {
                if (!_channels.Heartbeat.Poll(PollMs)) continue;
                if (_channels.Heartbeat.TryReceive() is { } frames) _channels.Heartbeat.Send(frames);
            }
            catch (InvalidOperationException e)
            {
                KernelLog.Warn($"heartbeat: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        OutputSink.Current = null;
        _packages.Dispose();
        _channels.Dispose();
    }
}
