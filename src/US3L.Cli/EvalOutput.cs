using System.Globalization;
using US3L.Evaluation;

namespace US3L.Cli;

/// <summary>How the evaluation commands print and save their results.</summary>
internal static class EvalOutput
{
    internal static void Report(EvalSession session, IReadOnlyList<EvalResult> rows, bool json, string? resultsPath, Action table)
    {
        var lines = rows.Select(r => session.Json(r)).ToList();
        if (json) foreach (var line in lines) Console.WriteLine(line);
        else table();
        if (resultsPath is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(resultsPath));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            File.AppendAllLines(resultsPath, lines);
        }
    }

    internal static string Macs(long? macs) => macs is { } m
        ? (m >= 1_000_000_000 ? (m / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + "G" : (m / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M")
        : "-";
}
