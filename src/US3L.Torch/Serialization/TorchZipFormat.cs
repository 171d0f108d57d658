using System.IO.Compression;
using System.Text;

namespace US3L.Torch.Serialization;

/// <summary>
/// torch.save's zip format (torch >= 1.6): an uncompressed zip whose records sit under one folder
/// named after the file: <c>&lt;name&gt;/data.pkl</c> (the pickled object; tensors are persistent ids
/// <c>('storage', torch.FloatStorage, key, location, numel)</c>), <c>&lt;name&gt;/data/&lt;key&gt;</c>
/// (each storage's raw bytes), <c>&lt;name&gt;/version</c> and, since torch 2.1,
/// <c>&lt;name&gt;/byteorder</c> ("little" or "big"; absent means little, as every writer we know is).
/// </summary>
internal sealed class TorchZipFormat : IStorageSource, IDisposable
{
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;
    private readonly Dictionary<string, byte[]> cache = new();
    private readonly bool bigEndian;

    private TorchZipFormat(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string archiveName, bool bigEndian, string? version)
    {
        this.zip = zip;
        this.entries = entries;
        ArchiveName = archiveName;
        this.bigEndian = bigEndian;
        Version = version;
    }

    public string ArchiveName { get; }
    public string? Version { get; }
    public string ByteOrder => bigEndian ? "big" : "little";

    /// <summary>Whether the file starts with a zip local-file header (what torch.load checks too).</summary>
    public static bool IsZip(Stream stream)
    {
        Span<byte> magic = stackalloc byte[4];
        stream.Position = 0;
        var n = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        return n == 4 && magic.SequenceEqual("PK\x03\x04"u8);
    }

    /// <summary>Opens the archive and finds its one <c>data.pkl</c>; takes ownership of <paramref name="stream"/>.</summary>
    public static TorchZipFormat Open(Stream stream)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new InvalidDataException($"it is a damaged zip archive ({e.Message.TrimEnd('.')}).");
        }
        try
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var e in zip.Entries) entries.TryAdd(e.FullName, e);
            var pickles = entries.Keys.Where(k => k.EndsWith("/data.pkl", StringComparison.Ordinal) && k.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
                throw new InvalidDataException(pickles.Count == 0
                    ? "it is a zip archive without a <name>/data.pkl record, so not a torch.save checkpoint"
                    : $"it is a zip archive with {pickles.Count} data.pkl records ({string.Join(", ", pickles)}); torch.save writes one");
            var name = pickles[0][..^"/data.pkl".Length];
            var order = ReadText(entries, $"{name}/byteorder");
            if (order is not (null or "little" or "big"))
                throw new InvalidDataException($"its byteorder record says '{order}', not 'little' or 'big'");
            return new TorchZipFormat(zip, entries, name, order == "big", ReadText(entries, $"{name}/version"));
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Unpickles data.pkl, resolving each persistent id to a storage of this archive.</summary>
    public object? LoadObject()
    {
        using var pickle = new MemoryStream(ReadEntry(entries[$"{ArchiveName}/data.pkl"]));
        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        return RestrictedUnpickler.Load(pickle, id => PersistentStorage(id, storages));
    }

    /// <summary>
    /// ('storage', storage_type, key, location, numel): the same key names the same storage, so
    /// tensors that share a storage share one <see cref="StorageRef"/>.
    /// </summary>
    private StorageRef PersistentStorage(object? id, Dictionary<string, StorageRef> storages)
    {
        if (id is not PickleTuple { Count: 5 } t || t[0] is not "storage" || t[1] is not TorchGlobal { What: TorchGlobal.Kind.StorageType } type
            || t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0)
            throw new InvalidDataException($"data.pkl has a persistent id {PickleText.Of(id)}, not ('storage', type, key, location, numel)");
        if (storages.TryGetValue(key, out var known)) return known;
        if (!entries.ContainsKey($"{ArchiveName}/data/{key}"))
            throw new InvalidDataException($"storage '{key}' has no record {ArchiveName}/data/{key} in the archive");
        return storages[key] = new StorageRef(this, key, type.StorageType!.Value, numel, location);
    }

    public byte[] Read(StorageRef storage)
    {
        if (cache.TryGetValue(storage.Key, out var bytes)) return bytes;
        var entry = entries[$"{ArchiveName}/data/{storage.Key}"];
        var elem = StoredTensor.ElementSize(storage.Dtype);
        var need = checked(storage.Numel * elem);
        if (entry.Length < need)
            throw new InvalidDataException($"storage record {entry.FullName} has {entry.Length} bytes, but its {storage.Numel} {storage.Dtype.Name()} elements need {need}");
        bytes = ReadEntry(entry);
        if (bigEndian && elem > 1) SwapBytes(bytes, elem);
        return cache[storage.Key] = bytes;
    }

    internal static void SwapBytes(byte[] bytes, int elem)
    {
        for (var i = 0; i + elem <= bytes.Length; i += elem) Array.Reverse(bytes, i, elem);
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        if (entry.Length > Array.MaxLength)
            throw new InvalidDataException($"record {entry.FullName} has {entry.Length} bytes, more than one array can hold");
        var bytes = GC.AllocateUninitializedArray<byte>((int)entry.Length);
        using var s = entry.Open();
        try { s.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"record {entry.FullName} is truncated"); }
        return bytes;
    }

    private static string? ReadText(Dictionary<string, ZipArchiveEntry> entries, string name) =>
        entries.TryGetValue(name, out var e) && e.Length < 1024 ? Encoding.ASCII.GetString(ReadEntry(e)).Trim() : null;

    public void Dispose() => zip.Dispose();
}
