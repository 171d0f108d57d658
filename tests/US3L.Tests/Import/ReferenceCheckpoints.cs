using US3L.Tests.Data;
using US3L.Torch.Serialization;

namespace US3L.Tests.Import;

/// <summary>
/// The checkpoints reference/reference_checkpoints.py writes with Debian's PyTorch (the official
/// code's models and BYOL wrapper, transcribed; torchvision's resnet18), written once per test
/// run and deleted when the process exits.
/// </summary>
public static class ReferenceCheckpoints
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("us3l-reference-checkpoints-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        };
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "reference_checkpoints.py"));
        Python.Run(script, "write", folder);
        return folder;
    });

    public static string PathOf(string file) => Path.Combine(Folder.Value, file);

    /// <summary>The input and expected outputs saved next to a model's checkpoints (read with the kit's own reader).</summary>
    public static Dictionary<string, Tensor> Expected(string model)
    {
        using var checkpoint = TorchCheckpoint.Load(PathOf($"{model}.expected.pt"));
        var dict = Assert.IsType<PickleDict>(checkpoint.Root);
        return dict.Entries.ToDictionary(e => (string)e.Key!, e => Assert.IsType<StoredTensor>(e.Value).Load());
    }
}
