using System.CommandLine;
using US3L.Cli.Studies;

namespace US3L.Cli;

/// <summary>
/// `us3l study NAME`: runs every arm x seed of a study (Studies/*.yaml, e.g. collapse) as its own
/// pretraining run, several at a time, then prints the outcome table (also summary.md and
/// summary.jsonl in the study's folder). Running it again reuses finished runs and resumes the rest.
/// </summary>
internal static class StudyCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("study") { Description = "A shipped study (e.g. collapse) or the path of a study YAML file" };
        var output = new Option<string?>("--out") { Description = "Folder of the study's runs (default: runs/study-<name>)" };
        var jobs = new Option<int>("--jobs") { Description = "Runs at a time; each gets cores/jobs threads", DefaultValueFactory = _ => 1 };
        var device = new Option<string?>("--device") { Description = "Run every arm on this device (cpu, cuda, cuda:N)" };
        var only = new Option<string?>("--only") { Description = "Only the runs whose name contains one of these comma-separated texts" };
        var summary = new Option<bool>("--summary") { Description = "Print the outcome table of the runs present; train nothing" };
        var command = new Command("study", "Run a study's arms at their seeds (several runs at a time) and print the per-width outcome table")
        {
            name, output, jobs, device, only, summary, PretrainCommand.Set,
        };
        command.SetAction(parse =>
        {
            // --set applies to every run after the study's own overrides (e.g. a shorter check of every arm).
            var study = StudyDefinition.Load(parse.GetValue(name)!, parse.GetValue(PretrainCommand.Set) ?? Array.Empty<string>());
            var dir = parse.GetValue(output) ?? Path.Combine("runs", "study-" + study.Name);
            if (parse.GetValue(jobs) < 1) throw new ArgumentException($"--jobs must be at least 1, got {parse.GetValue(jobs)}.");
            var texts = parse.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var runs = study.Runs().Where(r => texts is null || texts.Any(t => r.Name.Contains(t, StringComparison.Ordinal))).ToArray();
            if (runs.Length == 0) throw new ArgumentException($"no run of study '{study.Name}' matches --only {parse.GetValue(only)}.");
            var runner = new StudyRunner(study, dir, parse.GetValue(jobs), parse.GetValue(device), Console.Error);
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                c => { c.Cancel = true; cancel.Cancel(); });
            var outcomes = parse.GetValue(summary) ? runs.Select(runner.Outcome).ToArray() : runner.Run(runs, cancel.Token);
            runner.Write(outcomes);
            Console.WriteLine(RunOutcome.Header);
            foreach (var o in outcomes) Console.WriteLine(o.Row());
            Console.WriteLine($"study: {Path.GetFullPath(dir)}");
            return outcomes.All(o => o.Finished) ? 0 : 1;
        });
        return command;
    }
}
