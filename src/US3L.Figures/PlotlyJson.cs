using System.Numerics;
using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>Arrays as plotly reads them: non-finite numbers become null, which plotly draws as gaps.</summary>
internal static class PlotlyJson
{
    public static JsonArray Array(IEnumerable<double> values)
    {
        var array = new JsonArray();
        foreach (double v in values) array.Add(double.IsFinite(v) ? JsonValue.Create(v) : null);
        return array;
    }

    public static JsonArray Array(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (string v in values) array.Add(JsonValue.Create(v));
        return array;
    }

    /// <summary>Any .NET number (int epochs, float losses, ...) as double.</summary>
    public static double[] Doubles<T>(IEnumerable<T> values, string what) where T : INumberBase<T> =>
        values is null ? throw new ArgumentNullException(what) : values.Select(double.CreateTruncating).ToArray();
}
