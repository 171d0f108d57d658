using System.CommandLine;

namespace US3L.Cli;

/// <summary>
/// `us3l calibrate | knn | linear | export`: per-width BN recalibration (science.md 6.3), kNN and
/// linear-probe evaluation per width (6.4, 8.1) and the width-w export (9 item 34), on a
/// checkpoint or a randomly initialised backbone.
/// </summary>
internal static class EvalCommands
{
    public static IEnumerable<Command> Create() => new[] { CalibrateCommand.Create(), KnnCommand.Create(), LinearCommand.Create(), SemisupCommand.Create(), ExportCommand.Create() };
}
