using US3L.Tests.Data;
using US3L.Torch.Serialization;

namespace US3L.Tests.Import;

/// <summary>
/// The checkpoints reference/reference_checkpoints.py writes with Debian's PyTorch (the official
/// code's models and BYOL wrapper, transcribed; torchvision's resnet18): written once, on first
/// use, for the tests of <see cref="ReferenceCheckpointCollection"/>, and deleted after them.
/// </summary>
public sealed class ReferenceCheckpoints : IDisposable
{
    private readonly TempDirectory folder = new();
    private readonly Lazy<string> written;

    public ReferenceCheckpoints() => written = new(() =>
    {
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "reference_checkpoints.py"));
        Python.Run(script, "write", folder.Path);
        return folder.Path;
    });

    public string PathOf(string file) => Path.Combine(written.Value, file);

    /// <summary>The input and expected outputs saved next to a model's checkpoints (read with the kit's own reader).</summary>
    public Dictionary<string, Tensor> Expected(string model)
    {
        using var checkpoint = TorchCheckpoint.Load(PathOf($"{model}.expected.pt"));
        var dict = Assert.IsType<PickleDict>(checkpoint.Root);
        return dict.Entries.ToDictionary(e => (string)e.Key!, e => Assert.IsType<StoredTensor>(e.Value).Load());
    }

    public void Dispose() => folder.Dispose();
}

/// <summary>
/// The tests that read <see cref="ReferenceCheckpoints"/>. They run alone: their float64
/// comparisons set libtorch to one thread, which is process-wide. On a busy 2-core machine, a
/// float64 MobileNetV2 forward pass took 19 s with 2 threads and 0.19 s with 1 (float32: 0.2 s, 0.08 s).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReferenceCheckpointCollection : ICollectionFixture<ReferenceCheckpoints>
{
    public const string Name = "reference checkpoints";

    /// <summary>Runs <paramref name="body"/> with one libtorch thread, then restores the count.</summary>
    public static void SingleThreaded(Action body)
    {
        var before = torch.get_num_threads();
        torch.set_num_threads(1);
        try { body(); }
        finally { torch.set_num_threads(before); }
    }
}
