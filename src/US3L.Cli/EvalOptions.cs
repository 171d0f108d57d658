using System.CommandLine;

namespace US3L.Cli;

/// <summary>Options every evaluation command shares.</summary>
internal sealed class EvalOptions
{
    public readonly WeightOptions Weights = new();
    public readonly DataOptions Data;
    public readonly Option<int> CalibrateBatches = new("--calibrate-batches")
    {
        Description = "Training batches per width for BN recalibration, cumulative average (science.md 6.3)", DefaultValueFactory = _ => 20,
    };
    public readonly Option<bool> NoCalibrate = new("--no-calibrate")
    {
        Description = "Use the checkpoint's BN running statistics as they are (a checkpoint written by us3l calibrate)",
    };

    public EvalOptions(Command command, bool calibrationSwitch = true, DataOptions? data = null)
    {
        Data = data ?? new DataOptions();
        Weights.AddTo(command);
        Data.AddTo(command);
        command.Options.Add(CalibrateBatches);
        if (calibrationSwitch) command.Options.Add(NoCalibrate);
    }

    /// <summary>The --widths option with <paramref name="defaults"/>.</summary>
    public static Option<string> Widths(string defaults) =>
        new("--widths") { Description = "Comma-separated widths", DefaultValueFactory = _ => defaults };
}
