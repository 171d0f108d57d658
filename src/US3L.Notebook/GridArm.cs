using US3L.Config;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// One arm of an <see cref="AblationGrid"/>: its axis values, the overrides that make it, the resolved
/// recipe and the run folder that config maps to in <see cref="RunStore"/> (the folder
/// <c>Pretrain(arm.Label, arm.Config)</c> would use, so a notebook cell finds the arm's run there too).
/// </summary>
public sealed class GridArm
{
    internal GridArm(string label, IReadOnlyList<KeyValuePair<string, string>> values, IReadOnlyList<string> overrides, Recipe recipe)
    {
        Label = label;
        Values = values;
        Overrides = overrides;
        Recipe = recipe;
        RunDir = RunStore.FolderFor(label, recipe.Config);
    }

    /// <summary>The run label: the grid's name and the arm's axis values.</summary>
    public string Label { get; }
    /// <summary>The arm's value of each axis, in axis order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Values { get; }
    /// <summary>The <c>key=value</c> overrides, fixed ones first.</summary>
    public IReadOnlyList<string> Overrides { get; }
    public Recipe Recipe { get; }
    public PretrainConfig Config => Recipe.Config;
    public string RunDir { get; }
    /// <summary>The axis values in words, e.g. "distill_head=shared, ema_momentum=0.9".</summary>
    public string Description => string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"));

    /// <summary>The label of an arm: the grid name then each axis value.</summary>
    internal static string LabelOf(string gridName, IEnumerable<KeyValuePair<string, string>> values) =>
        string.Join(" ", values.Select(v => $"{v.Key}={v.Value}").Prepend(gridName));

    /// <summary>
    /// Where the arm's run stands, read from its folder (<see cref="RunFolder.StateOf"/>). A folder
    /// holding another config is an error (never silently reused), as in <see cref="NotebookRun.Train"/>.
    /// </summary>
    public RunFolderState State() => RunFolder.StateOf(RunDir, Config);

    /// <summary>
    /// The <c>us3l</c> arguments that train the arm into <see cref="RunDir"/> from the resolved config
    /// written at <paramref name="configFile"/> (exactly this arm's config, so the folder's
    /// config.json is the one it is keyed by), or resume it there.
    /// </summary>
    public IReadOnlyList<string> PretrainArguments(bool resume, string configFile) => resume
        ? new[] { "pretrain", "--resume", RunDir }
        : new[] { "pretrain", "--config", configFile, "--out", RunDir };

    public override string ToString() => $"{Label} → {RunDir}";
}
