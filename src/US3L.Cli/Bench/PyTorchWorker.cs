using System.Diagnostics;
using System.Text.Json.Nodes;

namespace US3L.Cli.Bench;

/// <summary>
/// A benchmark's PyTorch side (a script in Bench/) kept running for the whole benchmark, so its
/// start-up is never timed: the script sets itself up, prints one JSON line (<c>{"ready": ...}</c>),
/// then answers each JSON command read on stdin with one JSON line (see bench_worker.py). It runs with
/// Debian's python, on the same libtorch; <c>US3L_PYTHON</c> names another interpreter (a CUDA
/// PyTorch, for GPU comparisons).
/// </summary>
internal sealed class PyTorchWorker : IDisposable
{
    private const int KeptErrorLines = 20;

    private readonly Process process;
    private readonly string scriptName;
    private readonly Queue<string> errorLines = new();

    private PyTorchWorker(Process process, string scriptName)
    {
        this.process = process;
        this.scriptName = scriptName;
    }

    /// <summary>The worker's first line: its thread count and device as PyTorch sees them.</summary>
    public JsonObject Ready { get; private set; } = new();

    /// <summary>
    /// Starts <paramref name="scriptName"/> and waits until it is ready; null when Debian's python or
    /// its torch is not installed. Any other failure is an error naming the script's last line of stderr.
    /// </summary>
    public static PyTorchWorker? Start(string scriptName, IEnumerable<string> arguments)
    {
        if (PyTorchReference.StartInfo(scriptName, arguments) is not { } start) return null;
        start.RedirectStandardInput = true;
        var worker = new PyTorchWorker(Process.Start(start)!, scriptName);
        worker.process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker.process.BeginErrorReadLine();
        var ready = worker.process.StandardOutput.ReadLine();
        if (ready is null)
        {
            worker.process.WaitForExit();
            var missingTorch = worker.ErrorText.Contains("No module named 'torch'", StringComparison.Ordinal);
            var failure = worker.Failure();
            worker.Dispose();
            if (missingTorch) return null;
            throw failure;
        }
        worker.Ready = JsonNode.Parse(ready)!.AsObject();
        return worker;
    }

    /// <summary>Sends one command and returns the worker's answer; a worker that died or answered with "error" is an error.</summary>
    public JsonObject Request(JsonObject command)
    {
        try
        {
            process.StandardInput.WriteLine(command.ToJsonString());
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            process.WaitForExit();
            throw Failure();
        }
        var line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            process.WaitForExit();
            throw Failure();
        }
        var answer = JsonNode.Parse(line)!.AsObject();
        if (answer["error"] is { } error) throw new InvalidOperationException($"the PyTorch benchmark {scriptName} failed: {error}");
        return answer;
    }

    /// <summary>The "img_s" of the answer to <paramref name="command"/>.</summary>
    public double ImagesPerSecond(JsonObject command) => Request(command)["img_s"]!.GetValue<double>();

    private string ErrorText
    {
        get { lock (errorLines) return string.Join("\n", errorLines); }
    }

    private InvalidOperationException Failure()
    {
        var last = ErrorText.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? $"exit code {process.ExitCode}";
        return new InvalidOperationException($"the PyTorch benchmark {scriptName} failed: {last}");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (errorLines)
        {
            errorLines.Enqueue(line);
            while (errorLines.Count > KeptErrorLines) errorLines.Dequeue();
        }
    }

    /// <summary>Closes the worker's stdin (it exits at the end of its input) and waits briefly; one that hangs is killed.</summary>
    public void Dispose()
    {
        if (!process.HasExited)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The worker is already gone.
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }
}
