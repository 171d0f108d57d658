using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace US3L.Training;

/// <summary>Where a pretraining run folder stands.</summary>
public enum RunFolderState
{
    /// <summary>No folder: the run trains from the start.</summary>
    New,
    /// <summary>A folder without a checkpoint and without a live trainer (a start that died early): clear it and train from the start.</summary>
    Abandoned,
    /// <summary>A trainer (this process or another one on this machine) holds the folder now.</summary>
    Running,
    /// <summary>A checkpoint of an unfinished run: resume it.</summary>
    Interrupted,
    /// <summary>Training finished: nothing to train.</summary>
    Finished,
}

/// <summary>
/// The one place that decides a run folder's state (<see cref="RunFolderState"/>), for the CLI, the
/// notebook run store and the ablation grid alike. A trainer holds its folder through
/// <c>running.lock</c> (process id and start time), written by <see cref="Pretrainer.Start"/> and
/// <see cref="Pretrainer.Resume"/> and removed when the trainer is disposed; a lock whose process is
/// gone (killed) is stale and ignored, so a killed run reads as interrupted or abandoned.
/// </summary>
public static class RunFolder
{
    private const string LockName = "running.lock";

    // Folders held by trainers of this process: a lock naming this process is live only while its trainer is.
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);

    /// <summary>
    /// The state of <paramref name="runDir"/>. With <paramref name="expected"/>, a folder holding a
    /// run of another config (its <c>config.json</c> differs) is an error, never silently reused.
    /// </summary>
    public static RunFolderState StateOf(string runDir, PretrainConfig? expected = null)
    {
        if (!Directory.Exists(runDir)) return RunFolderState.New;
        if (HolderOf(runDir) is not null) return RunFolderState.Running;
        var checkpoint = Checkpoint.PathIn(runDir);
        if (!File.Exists(checkpoint)) return RunFolderState.Abandoned;
        var configPath = Path.Combine(runDir, "config.json");
        var saved = File.Exists(configPath) ? File.ReadAllText(configPath) : null;
        if (expected is not null && saved != ConfigJson.Write(expected))
            throw new InvalidOperationException($"{runDir} holds a run of a different config than the one asked for; delete the folder to train again.");
        var epochs = (expected ?? (saved is null ? null : ConfigJson.Read(saved)))?.Epochs;
        return epochs is { } e && EndedAfter(runDir) == e ? RunFolderState.Finished : RunFolderState.Interrupted;
    }

    /// <summary>The process id of the live trainer holding <paramref name="runDir"/>, or null.</summary>
    public static int? HolderOf(string runDir)
    {
        var path = Path.Combine(runDir, LockName);
        if (!File.Exists(path)) return null;
        string[] fields;
        try
        {
            fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null; // being removed by its trainer right now
        }
        if (fields.Length != 2 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(fields[1], CultureInfo.InvariantCulture, out var started))
            return null;
        if (pid == Environment.ProcessId)
            lock (HeldHere) return HeldHere.Contains(Key(runDir)) ? pid : null;
        try
        {
            using var process = Process.GetProcessById(pid);
            // The start time tells a live trainer from an unrelated process that reused a dead trainer's id.
            return !process.HasExited && StartTicks(process) == started ? pid : null;
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
        catch (InvalidOperationException)
        {
            return null; // exited meanwhile
        }
    }

    /// <summary>Holds <paramref name="runDir"/> for a trainer of this process; refuses a folder another live trainer holds.</summary>
    internal static IDisposable Hold(string runDir)
    {
        if (HolderOf(runDir) is { } pid)
            throw new InvalidOperationException(pid == Environment.ProcessId
                ? $"{runDir} is being trained by another trainer in this process; dispose it first."
                : $"{runDir} is being trained by process {pid}; stop it (Ctrl-C saves a checkpoint) before training this folder again.");
        Directory.CreateDirectory(runDir);
        using (var self = Process.GetCurrentProcess())
            File.WriteAllText(Path.Combine(runDir, LockName), $"{Environment.ProcessId} {StartTicks(self).ToString(CultureInfo.InvariantCulture)}");
        lock (HeldHere) HeldHere.Add(Key(runDir));
        return new Holding(runDir);
    }

    /// <summary>The epoch count of the metrics log's closing "end" record when the run ended uninterrupted; null otherwise.</summary>
    private static int? EndedAfter(string runDir)
    {
        var metrics = Path.Combine(runDir, "metrics.jsonl");
        if (!File.Exists(metrics)) return null;
        var last = File.ReadLines(metrics).LastOrDefault(l => l.Trim().Length > 0);
        if (last is null) return null;
        try
        {
            using var record = JsonDocument.Parse(last);
            var root = record.RootElement;
            return root.TryGetProperty("kind", out var kind) && kind.GetString() == "end"
                && root.TryGetProperty("interrupted", out var interrupted) && !interrupted.GetBoolean()
                && root.TryGetProperty("epoch", out var epoch) ? epoch.GetInt32() : null;
        }
        catch (JsonException)
        {
            return null; // a line cut by a kill: not a finished run
        }
    }

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;

    private static string Key(string runDir) => Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar);

    private sealed class Holding(string runDir) : IDisposable
    {
        private bool released;

        public void Dispose()
        {
            if (released) return;
            released = true;
            lock (HeldHere) HeldHere.Remove(Key(runDir));
            try
            {
                File.Delete(Path.Combine(runDir, LockName));
            }
            catch (IOException)
            {
                // A lock left behind names this process; once it has ended the lock is stale and ignored.
            }
        }
    }
}
