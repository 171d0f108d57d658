using System.Text.Json;

namespace US3L.Notebook;

/// <summary>
/// The per-width results an evaluation keeps next to a run (<c>eval/*.json</c>): read back when
/// present, written atomically (a temporary file moved into place) so an interrupted write leaves
/// no half file that a later run would trust.
/// </summary>
internal static class EvaluationCache
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The saved points of <paramref name="path"/>, or null when nothing was saved there.</summary>
    public static T[]? Read<T>(string path)
    {
        if (!File.Exists(path)) return null;
        return JsonSerializer.Deserialize<T[]>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} holds no evaluation; delete it to evaluate again.");
    }

    /// <summary>Saves <paramref name="points"/> at <paramref name="path"/>, creating its folder.</summary>
    public static void Write<T>(string path, IReadOnlyList<T> points)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(points, Json));
        File.Move(temporary, path, overwrite: true);
    }
}
