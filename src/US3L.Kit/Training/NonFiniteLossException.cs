namespace US3L.Training;

/// <summary>
/// A loss became NaN or infinite. Training stops at once; the last checkpoint on disk (written
/// before the divergence) is left as it was, so the run can be resumed with a lower learning rate.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    public NonFiniteLossException(int epoch, long iteration, double width, double loss, string? checkpoint)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The loss became {loss} at epoch {epoch}, iteration {iteration}, width {width}; training stopped. ") +
            (checkpoint is null ? "No checkpoint had been written yet." : $"The last good checkpoint is kept: {checkpoint}."))
    {
        Epoch = epoch;
        Iteration = iteration;
        Width = width;
    }

    public int Epoch { get; }
    public long Iteration { get; }
    public double Width { get; }
}
