using US3L.Models;

namespace US3L.Import;

/// <summary>How <see cref="CheckpointImporter"/> reads a checkpoint.</summary>
public sealed record ImportOptions
{
    /// <summary>The kit architecture to check the tensors against (<see cref="ModelRegistry.Names"/>).</summary>
    public required string Arch { get; init; }

    /// <summary>How the kit model is built (input channels, divisor, stage widths); the classifier head is never built.</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Load the second encoder of a two-encoder wrapper (the EMA teacher, <c>encoder_k</c>) instead of the online one.</summary>
    public bool Teacher { get; init; }

    /// <summary>
    /// Keep the projector, predictor and auxiliary head, in the kit's SslNetwork names. With
    /// <see cref="Teacher"/>: the teacher's projector; the predictors belong to the online network and are dropped.
    /// </summary>
    public bool KeepHeads { get; init; }
}
