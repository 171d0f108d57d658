using System.CommandLine;
using System.Globalization;
using US3L.Evaluation;

namespace US3L.Cli;

/// <summary>`us3l knn`: weighted kNN top-1 per width on frozen features (science.md 6.4, 8.1).</summary>
internal static class KnnCommand
{
    public static Command Create()
    {
        var command = new Command("knn", "Weighted kNN top-1 per width on frozen features, after BN recalibration (science.md 2.2, 8.1)");
        var common = new EvalOptions(command);
        var widths = EvalOptions.Widths("1.0,0.75,0.5,0.25");
        var k = new Option<string>("--k") { Description = "Neighbours; several as a list (one neighbour search answers all)", DefaultValueFactory = _ => "20,200" };
        var temperature = new Option<double>("--temperature") { Description = "Vote temperature τ", DefaultValueFactory = _ => 0.1 };
        var json = new Option<bool>("--json") { Description = "One JSON object per result (with its protocol) instead of a table" };
        var results = new Option<string?>("--results") { Description = "Also append the JSON lines to this file" };
        foreach (var o in new Option[] { widths, k, temperature, json, results }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var t = parse.GetValue(temperature);
            if (!(t > 0) || !double.IsFinite(t)) throw new ArgumentException($"--temperature must be a positive number, got {t}.");
            var knn = ParseKs(parse.GetValue(k)!).Select(kk => new KnnOptions(kk, t)).ToArray();
            using var session = EvalSession.Open(parse, common, parse.GetValue(widths)!);
            foreach (var o in knn)
                if (o.K > session.Train.Count)
                    throw new ArgumentException($"--k {o.K} needs at least {o.K} training images; the bank has {session.Train.Count} (raise --train-subset).");
            var points = session.Sweep("knn", new WidthSweepOptions(session.Protocol) { Knn = knn });
            var rows = points.SelectMany(p => p.Knn).ToList();
            EvalOutput.Report(session, rows, parse.GetValue(json), parse.GetValue(results), () =>
            {
                Console.WriteLine($"kNN (τ {t.ToString(CultureInfo.InvariantCulture)}) {session.Header}");
                Console.WriteLine($"{"width",6}  {"F(w)",5}  {"MACs",8}" + string.Concat(knn.Select(o => $"  {"k=" + o.K,7}")));
                foreach (var p in points)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Width,6:0.00#}  {p.FeatureDim,5}  {EvalOutput.Macs(p.Macs),8}")
                        + string.Concat(p.Knn.Select(r => string.Create(CultureInfo.InvariantCulture, $"  {r.Top1,7:0.0000}"))));
            });
        });
        return command;
    }

    private static int[] ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            ks.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k > 0
                ? k : throw new ArgumentException($"--k: '{part}' is not a positive integer; expected e.g. 20 or 20,200."));
        return ks.Count > 0 ? ks.ToArray() : throw new ArgumentException("--k: give at least one k, e.g. 20.");
    }
}
