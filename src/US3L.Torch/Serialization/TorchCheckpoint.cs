namespace US3L.Torch.Serialization;

/// <summary>
/// A file written by PyTorch's <c>torch.save</c>, read without Python: the zip format of torch >= 1.6
/// (<see cref="TorchZipFormat"/>) or the legacy format (<see cref="TorchLegacyFormat"/>), through a
/// restricted unpickler that only rebuilds tensors and plain containers (<see cref="TorchGlobal"/>).
/// <see cref="Root"/> is the saved object; its tensors are <see cref="StoredTensor"/>s, read from
/// the file when loaded, so the file stays open until the checkpoint is disposed.
/// </summary>
public sealed class TorchCheckpoint : IDisposable
{
    private readonly IDisposable format;

    private TorchCheckpoint(string path, IDisposable format, string description, object? root)
    {
        Path = path;
        this.format = format;
        Format = description;
        Root = root;
    }

    public string Path { get; }

    /// <summary>"zip (archive 'name', version 3, little-endian)" or "legacy (protocol 1001)".</summary>
    public string Format { get; }

    /// <summary>The saved object: usually a <see cref="PickleDict"/>.</summary>
    public object? Root { get; }

    /// <summary>
    /// Opens and unpickles <paramref name="path"/>. A missing file is a <see cref="FileNotFoundException"/>,
    /// a refused pickle an <see cref="UnsafePickleException"/>, anything else wrong an
    /// <see cref="InvalidDataException"/>; each message names the file.
    /// </summary>
    public static TorchCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            if (TorchZipFormat.IsZip(stream))
            {
                var zip = TorchZipFormat.Open(stream);
                try
                {
                    var root = zip.LoadObject();
                    var version = zip.Version is null ? "" : $", version {zip.Version}";
                    return new TorchCheckpoint(path, zip, $"zip (archive '{zip.ArchiveName}'{version}, {zip.ByteOrder}-endian)", root);
                }
                catch
                {
                    zip.Dispose();
                    throw;
                }
            }
            if (!TorchLegacyFormat.LooksLegacy(stream))
            {
                stream.Dispose();
                throw new InvalidDataException(NotACheckpoint(path));
            }
            var legacy = TorchLegacyFormat.Open(stream);
            return new TorchCheckpoint(path, legacy, "legacy (protocol 1001)", legacy.Root);
        }
        catch (UnsafePickleException e)
        {
            stream.Dispose();
            throw new UnsafePickleException(e.Global, $"'{path}' is refused: {e.Message.TrimEnd('.')}.");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith($"'{path}'", StringComparison.Ordinal))
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' is not a readable PyTorch checkpoint: {e.Message.TrimEnd('.')}.", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static string NotACheckpoint(string path)
    {
        var hint = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? " (a .safetensors file is read by the kit's commands directly)" : "";
        return $"'{path}' is not a PyTorch checkpoint: it is neither a torch.save zip archive nor the legacy pickle format{hint}.";
    }

    public void Dispose() => format.Dispose();
}
