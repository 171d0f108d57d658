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
    /// Where the arm's run stands, read from its folder. A folder holding another config is an error
    /// (never silently reused), as in <see cref="NotebookRun.Train"/>.
    /// </summary>
    public ArmState State()
    {
        if (!File.Exists(Pretrainer.CheckpointPath(RunDir))) return Directory.Exists(RunDir) ? ArmState.Abandoned : ArmState.New;
        var configPath = Path.Combine(RunDir, "config.json");
        if (!File.Exists(configPath) || File.ReadAllText(configPath) != ConfigJson.Write(Config))
            throw new InvalidOperationException($"{RunDir} holds a run of a different config than arm '{Label}'; delete the folder to train again.");
        var metrics = RunMetrics.Read(Path.Combine(RunDir, "metrics.jsonl"));
        bool trained = metrics.Finished && metrics.Epochs.Count > 0 && metrics.Epochs[^1].Epoch + 1 == Config.Epochs;
        return trained ? ArmState.Trained : ArmState.Interrupted;
    }

    /// <summary>The <c>us3l</c> arguments that train the arm into <see cref="RunDir"/>, or resume it there.</summary>
    public IReadOnlyList<string> PretrainArguments(bool resume)
    {
        if (resume) return new[] { "pretrain", "--resume", RunDir };
        var args = new List<string> { "pretrain", "--recipe", Recipe.Path, "--profile", Recipe.Profile! };
        foreach (var set in Overrides) args.AddRange(new[] { "--set", set });
        args.AddRange(new[] { "--out", RunDir });
        return args;
    }

    public override string ToString() => $"{Label} → {RunDir}";
}

/// <summary>Where an arm's run folder stands.</summary>
public enum ArmState
{
    /// <summary>No folder: the arm trains from the start.</summary>
    New,
    /// <summary>A folder without a checkpoint (a start that died early): it is cleared and trained from the start.</summary>
    Abandoned,
    /// <summary>A checkpoint of an unfinished run: the arm resumes from it.</summary>
    Interrupted,
    /// <summary>Training finished: nothing to train.</summary>
    Trained,
}
