using System.Diagnostics;

namespace US3L.Notebook;

/// <summary>
/// One arm training in its own <c>dotnet us3l.dll pretrain</c> process with <c>OMP_NUM_THREADS</c> set,
/// its output drained (the last lines kept for error messages) and its <c>metrics.jsonl</c> followed
/// for progress. <see cref="Interrupt"/> sends SIGINT, on which <c>us3l pretrain</c> stops after the
/// current step, saves a checkpoint and exits with 130. (A process that inherited an ignored SIGINT
/// cannot hear it; <see cref="WaitForExit"/> then kills it, and it resumes from its last end-of-epoch checkpoint.)
/// </summary>
internal sealed class ArmProcess : IDisposable
{
    private const int KeptLines = 20;

    private readonly Process process;
    private readonly Queue<string> lastLines = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly string configFile;

    public ArmProcess(GridArm arm, bool resume, int threads, string cliDll)
    {
        Arm = arm;
        Resumed = resume;
        Metrics = new MetricsFollower(Path.Combine(arm.RunDir, "metrics.jsonl"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(cliDll);
        // The arm's resolved config travels as a file: the child runs exactly it and re-derives nothing.
        configFile = Path.Combine(Path.GetTempPath(), $"us3l-arm-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        File.WriteAllText(configFile, Training.ConfigJson.Write(arm.Config));
        foreach (var a in arm.PretrainArguments(resume, configFile)) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public GridArm Arm { get; }
    public bool Resumed { get; }
    public MetricsFollower Metrics { get; }
    public double Seconds => clock.Elapsed.TotalSeconds;
    public bool HasExited => process.HasExited;
    /// <summary>True once <see cref="Interrupt"/> was called.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>The exit code (after <see cref="WaitForExit"/> or once <see cref="HasExited"/>).</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>The last lines the process wrote (stdout and stderr), for error messages.</summary>
    public string Output
    {
        get { lock (lastLines) return string.Join("\n", lastLines); }
    }

    /// <summary>Asks the process to stop and save (SIGINT, like Ctrl-C); on Windows there is no such signal, so it is killed.</summary>
    public void Interrupt()
    {
        Interrupted = true;
        if (process.HasExited) return;
        if (OperatingSystem.IsWindows() || !SendSigInt(process.Id)) process.Kill(entireProcessTree: true);
    }

    /// <summary>Waits up to <paramref name="timeout"/>; a process still running then is killed (its last epoch checkpoint stays).</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (lastLines)
        {
            lastLines.Enqueue(line);
            while (lastLines.Count > KeptLines) lastLines.Dequeue();
        }
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
        File.Delete(configFile);
    }

    /// <summary>SIGINT through the system's <c>kill</c> (.NET can only send SIGKILL); false when it could not be sent.</summary>
    private static bool SendSigInt(int pid)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (kill is null) return false;
            kill.WaitForExit();
            return kill.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
