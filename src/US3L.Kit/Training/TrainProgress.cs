namespace US3L.Training;

/// <summary>Reported after every iteration (and with <see cref="Knn"/> after each monitored epoch).</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">E.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="Iteration">Iterations done over the whole run.</param>
/// <param name="Widths">Widths of the last iteration, descending.</param>
/// <param name="Losses">Loss per width of the last iteration (without the regularizer).</param>
/// <param name="ImagesPerSecond">Throughput of the last iteration.</param>
/// <param name="Knn">kNN top-1 per width, at the end of a monitored epoch; null otherwise.</param>
public sealed record TrainProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, long Iteration,
    IReadOnlyList<double> Widths, IReadOnlyList<double> Losses, double ImagesPerSecond, IReadOnlyDictionary<double, double>? Knn);

/// <summary>How a call to <see cref="Pretrainer.Train"/> ended.</summary>
/// <param name="RunDir">The run folder.</param>
/// <param name="Interrupted">True when a cancellation stopped it (a checkpoint was saved; resume with <see cref="Pretrainer.Resume"/>).</param>
/// <param name="EpochsCompleted">Epochs fully trained.</param>
/// <param name="Iterations">Iterations over the whole run.</param>
/// <param name="Checkpoint">The checkpoint written last.</param>
/// <param name="Knn">The last kNN top-1 per width, or null if none was measured.</param>
/// <param name="Seconds">Wall-clock seconds of this call.</param>
public sealed record PretrainResult(string RunDir, bool Interrupted, int EpochsCompleted, long Iterations, string Checkpoint,
    IReadOnlyDictionary<double, double>? Knn, double Seconds);
