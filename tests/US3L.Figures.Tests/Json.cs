using System.Text.Json.Nodes;
using US3L.Figures;

namespace US3L.Figures.Tests;

/// <summary>Reads a figure back as plotly JSON for assertions.</summary>
internal static class Json
{
    public static JsonObject Of(Figure figure) => JsonNode.Parse(figure.ToJson())!.AsObject();

    public static JsonArray Data(Figure figure) => Of(figure)["data"]!.AsArray();

    public static JsonObject Layout(Figure figure) => Of(figure)["layout"]!.AsObject();

    public static double[] Doubles(JsonNode? array) => array!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    public static int Count(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
