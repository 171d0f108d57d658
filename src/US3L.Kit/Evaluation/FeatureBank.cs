using US3L.Data;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Evaluation;

/// <summary>
/// Frozen features of a whole dataset: <see cref="Features"/> float32 [N, F] and
/// <see cref="Labels"/> int64 [N], computed once and then reused by kNN, the linear probe and the
/// collapse meters (science.md 6.4: the backbone is frozen and in eval mode, so one pass per width
/// is enough). The bank owns both tensors; dispose it.
/// <code>
/// using var train = FeatureBank.Extract(images => model.forward(FeatureBank.UnitFloat(images)), trainLoader, model);
/// </code>
/// </summary>
public sealed class FeatureBank : IDisposable
{
    /// <summary>
    /// Wraps existing tensors (e.g. synthetic features). The bank takes ownership: both tensors are
    /// removed from their dispose scope and freed with the bank.
    /// </summary>
    public FeatureBank(Tensor features, Tensor labels, int numClasses, string name)
    {
        if (features.dim() != 2)
            throw new ArgumentException($"{name}: features must be [N, F], got shape {ShapeText(features.shape)}.", nameof(features));
        if (labels.dim() != 1 || labels.size(0) != features.size(0))
            throw new ArgumentException(
                $"{name}: labels must be [N] with N = {features.size(0)} (one per feature row), got shape {ShapeText(labels.shape)}.", nameof(labels));
        if (!features.is_floating_point())
            throw new ArgumentException($"{name}: features must be floating point, got {features.dtype.Name()}.", nameof(features));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{name}: labels must be int64 class indices, got {labels.dtype.Name()}.", nameof(labels));
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), $"{name}: numClasses must be positive, got {numClasses}.");
        if (features.size(0) == 0) throw new ArgumentException($"{name}: a feature bank needs at least one row.", nameof(features));
        if (features.device != labels.device)
            throw new ArgumentException($"{name}: features are on {features.device}, labels on {labels.device}; put both on one device.");
        using (torch.no_grad())
        {
            var (lo, hi) = (labels.min().item<long>(), labels.max().item<long>());
            if (lo < 0 || hi >= numClasses)
                throw new ArgumentException($"{name}: labels must lie in [0, {numClasses - 1}], found values in [{lo}, {hi}].", nameof(labels));
        }
        Features = features.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        NumClasses = numClasses;
        Name = name;
    }

    /// <summary>float [N, F].</summary>
    public Tensor Features { get; }
    /// <summary>int64 [N], in [0, NumClasses).</summary>
    public Tensor Labels { get; }
    public int NumClasses { get; }
    /// <summary>Where the features came from, e.g. "fashion-mnist/train"; results carry it.</summary>
    public string Name { get; }
    public int Count => (int)Features.size(0);
    public int Dim => (int)Features.size(1);

    /// <summary>
    /// The first <paramref name="count"/> feature dimensions as a new bank (a slimmable backbone at
    /// width w fills only the first F(w) dimensions; its classifier reads those, science.md 1.3).
    /// </summary>
    public FeatureBank Prefix(int count)
    {
        if (count < 1 || count > Dim)
            throw new ArgumentOutOfRangeException(nameof(count), $"{Name}: a feature prefix must have 1 to {Dim} dimensions, got {count}.");
        using var scope = torch.NewDisposeScope();
        return new FeatureBank(Features.narrow(1, 0, count).contiguous().clone(), Labels.clone(), NumClasses, Name);
    }

    /// <summary>uint8 images [B, C, H, W] to float32 in [0, 1]: the usual first step of an extractor.</summary>
    public static Tensor UnitFloat(Tensor images) => images.to(ScalarType.Float32).div(255.0);

    /// <summary>Raw pixels as features: uint8 [B, C, H, W] to float32 [B, C*H*W] in [0, 1].</summary>
    public static Tensor Pixels(Tensor images) => UnitFloat(images).flatten(1);

    /// <summary>
    /// Runs <paramref name="extractor"/> (uint8 images [B, C, H, W] on the loader's device to
    /// features [B, F]) over one epoch of <paramref name="loader"/> under no_grad. When
    /// <paramref name="model"/> is given it is put in eval mode for the pass and its previous mode is
    /// restored afterwards. Memory stays flat: each batch runs in its own dispose scope and is copied
    /// into one preallocated [N, F] tensor on <paramref name="device"/> (CPU by default).
    /// Row order follows the loader (use shuffle off for a reproducible order; labels always match).
    /// </summary>
    public static FeatureBank Extract(Func<Tensor, Tensor> extractor, DataLoader loader, Module? model = null,
        Device? device = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(loader);
        var target = device ?? Device.CPU;
        var bankName = name ?? loader.Dataset.Name;
        var total = loader.ImagesPerEpoch;
        var wasTraining = model?.training ?? false;
        model?.eval();
        Tensor? features = null;
        var labels = torch.empty(new long[] { total }, ScalarType.Int64, target).DetachFromDisposeScope();
        try
        {
            using var noGrad = torch.no_grad();
            var offset = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                using (torch.NewDisposeScope())
                {
                    var f = extractor(batch.Images);
                    var b = batch.Size;
                    if (f.dim() != 2 || f.size(0) != b)
                        throw new InvalidOperationException(
                            $"{bankName}: the feature extractor must return [B, F] with B = {b}, got shape {ShapeText(f.shape)}.");
                    features ??= torch.empty(new long[] { total, f.size(1) }, ScalarType.Float32, target).DetachFromDisposeScope();
                    if (f.size(1) != features.size(1))
                        throw new InvalidOperationException(
                            $"{bankName}: the feature extractor returned {f.size(1)} features for batch {batch.Index}, {features.size(1)} before; it must return a fixed size.");
                    features.narrow(0, offset, b).copy_(f.to(ScalarType.Float32));
                    labels.narrow(0, offset, b).copy_(batch.Labels);
                    offset += b;
                }
            }
            if (features is null || offset != total)
                throw new InvalidOperationException($"{bankName}: the loader gave {offset} images, expected {total}.");
            return new FeatureBank(features, labels, loader.Dataset.NumClasses, bankName);
        }
        catch
        {
            features?.Dispose();
            labels.Dispose();
            throw;
        }
        finally
        {
            if (wasTraining) model!.train();
        }
    }

    /// <summary>
    /// <see cref="Extract(Func{Tensor, Tensor}, DataLoader, Module?, Device?, string?)"/> over every
    /// image of <paramref name="dataset"/> in order, batch <paramref name="batchSize"/>, images
    /// moved to <paramref name="inputDevice"/> before the extractor sees them.
    /// </summary>
    public static FeatureBank Extract(Func<Tensor, Tensor> extractor, ImageDataset dataset, Module? model = null,
        int batchSize = 256, Device? inputDevice = null, Device? device = null) =>
        Extract(extractor, new DataLoader(dataset, batchSize, shuffle: false, device: inputDevice), model, device);

    /// <summary>"[2, 3]": a shape as error messages print it.</summary>
    internal static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
