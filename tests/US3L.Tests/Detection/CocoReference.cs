using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Tests.Detection;

/// <summary>Runs reference/coco_reference.py (transcriptions of pycocotools) on a JSON input and returns its JSON output.</summary>
internal static class CocoReference
{
    public static JsonNode Run(string mode, JsonNode input)
    {
        var folder = Directory.CreateTempSubdirectory("us3l-coco-ref-").FullName;
        try
        {
            var inPath = Path.Combine(folder, "in.json");
            var outPath = Path.Combine(folder, "out.json");
            File.WriteAllText(inPath, input.ToJsonString());
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "reference", "coco_reference.py"), mode, inPath, outPath })
                start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"coco_reference.py {mode} failed ({p.ExitCode}): {stderr.Result}");
            return JsonNode.Parse(File.ReadAllText(outPath))!;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static uint[] Counts(JsonNode node) => node.AsArray().Select(v => v!.GetValue<uint>()).ToArray();

    public static JsonArray Array<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());
}
