using US3L.Torch;

namespace US3L.Data;

/// <summary>
/// One batch: <see cref="Images"/> uint8 [B, C, H, W] and <see cref="Labels"/> int64 [B], plus where
/// it came from (epoch and batch index, for logging and resuming). The consumer owns both tensors
/// and disposes them by disposing the batch.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    public ImageBatch(Tensor images, Tensor labels, int epoch, int index)
    {
        Images = images;
        Labels = labels;
        Epoch = epoch;
        Index = index;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int Epoch { get; }
    /// <summary>Position of this batch within its epoch.</summary>
    public int Index { get; }
    public int Size => (int)Labels.size(0);

    /// <summary>The same batch on another device; this batch is disposed.</summary>
    public ImageBatch MoveTo(Device device)
    {
        if (device.Type == DeviceType.CPU && Images.device.Type == DeviceType.CPU) return this;
        var images = Images.to(device).DetachFromDisposeScope();
        var labels = Labels.to(device).DetachFromDisposeScope();
        Dispose();
        return new ImageBatch(images, labels, Epoch, Index);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
