using System.Diagnostics;
using System.Text.Json;
using US3L.Config;
using US3L.Training;

namespace US3L.Cli.Studies;

/// <summary>
/// Runs a study's runs as child `us3l pretrain` processes, <c>jobs</c> at a time, each with
/// <c>OMP_NUM_THREADS</c> = its share of the cores, into one folder per run. A finished run is
/// reused, an interrupted one resumed, so running a study again continues where it stopped.
/// Each child writes its output to train.log in its folder.
/// </summary>
internal sealed class StudyRunner(StudyDefinition study, string outputDir, int jobs, string? device, TextWriter log)
{
    public IReadOnlyList<RunOutcome> Run(IReadOnlyList<StudyRun> runs, CancellationToken ct)
    {
        Directory.CreateDirectory(outputDir);
        var threads = Math.Max(1, Environment.ProcessorCount / Math.Max(1, jobs));
        var pending = new Queue<StudyRun>(runs);
        var active = new List<(StudyRun Run, Process Process, StreamWriter Output)>();
        var failures = new List<string>();
        while ((pending.Count > 0 || active.Count > 0) && !ct.IsCancellationRequested)
        {
            while (active.Count < jobs && pending.Count > 0)
            {
                var run = pending.Dequeue();
                if (Start(run, threads) is { } child) active.Add((run, child.Process, child.Output));
            }
            Thread.Sleep(200);
            foreach (var (run, process, output) in active.Where(a => a.Process.HasExited).ToList())
            {
                active.RemoveAll(a => a.Process == process);
                process.WaitForExit(); // drains the output streams
                output.Dispose();
                log.WriteLine($"{run.Name}: exited with {process.ExitCode}");
                if (process.ExitCode != 0) failures.Add($"{run.Name} (exit {process.ExitCode}, see {Path.Combine(Dir(run), "train.log")})");
                process.Dispose();
            }
        }
        foreach (var (_, process, output) in active)
        {
            // Cancelled: SIGTERM stops a run at the next step with a checkpoint (SIGINT may be ignored
            // when the study itself was started in the background).
            if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
            process.WaitForExit();
            output.Dispose();
            process.Dispose();
        }
        if (failures.Count > 0) log.WriteLine("failed: " + string.Join(", ", failures));
        return runs.Select(Outcome).ToArray();
    }

    public RunOutcome Outcome(StudyRun run) => RunOutcome.Read(run.Name, Dir(run), Config(run));

    private string Dir(StudyRun run) => Path.Combine(outputDir, run.Name);

    private PretrainConfig Config(StudyRun run) => RecipeLoader.Load(run.Arm.Recipe, run.Arm.Profile, Overrides(run));

    private IEnumerable<string> Overrides(StudyRun run) => device is null ? run.Overrides : run.Overrides.Append($"device={device}");

    /// <summary>Starts (or resumes) a run; null when it is already finished.</summary>
    private (Process Process, StreamWriter Output)? Start(StudyRun run, int threads)
    {
        var dir = Dir(run);
        var hasCheckpoint = File.Exists(Pretrainer.CheckpointPath(dir));
        if (hasCheckpoint && Outcome(run).Finished)
        {
            log.WriteLine($"{run.Name}: finished before, reused");
            return null;
        }
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "us3l.dll"));
        start.ArgumentList.Add("pretrain");
        if (hasCheckpoint)
        {
            start.ArgumentList.Add("--resume");
            start.ArgumentList.Add(dir);
        }
        else
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // started but never saved: start over
            foreach (var arg in new[] { "--recipe", run.Arm.Recipe, "--profile", run.Arm.Profile, "--out", dir }) start.ArgumentList.Add(arg);
            foreach (var set in Overrides(run))
            {
                start.ArgumentList.Add("--set");
                start.ArgumentList.Add(set);
            }
        }
        start.Environment["OMP_NUM_THREADS"] = threads.ToString();
        var process = Process.Start(start)!;
        Directory.CreateDirectory(dir);
        var output = new StreamWriter(Path.Combine(dir, "train.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.WriteLine($"{run.Name}: {(hasCheckpoint ? "resumed" : "started")} ({threads} thread{(threads == 1 ? "" : "s")})");
        return (process, output);
    }

    /// <summary>The outcomes as JSON lines and a markdown table, written next to the runs.</summary>
    public void Write(IReadOnlyList<RunOutcome> outcomes)
    {
        File.WriteAllLines(Path.Combine(outputDir, "summary.jsonl"), outcomes.Select(o => JsonSerializer.Serialize(o)));
        var table = new List<string> { $"# {study.Name}: {study.Description}", "", RunOutcome.Header };
        table.AddRange(outcomes.Select(o => o.Row()));
        File.WriteAllLines(Path.Combine(outputDir, "summary.md"), table);
    }
}
