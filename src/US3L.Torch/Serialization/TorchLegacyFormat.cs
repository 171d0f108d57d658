using System.Buffers.Binary;
using System.Numerics;

namespace US3L.Torch.Serialization;

/// <summary>
/// torch.save's format before 1.6 (still written with <c>_use_new_zipfile_serialization=False</c>):
/// five pickles in a row, then the storages. The pickles are the magic number
/// 0x1950a86a20f9469cfc6c, the protocol version 1001, a dict of system info, the object itself
/// (tensors are persistent ids <c>('storage', type, key, location, numel, view)</c>, where view is
/// None or (view_key, offset, size) into the storage), and the sorted list of storage keys. Each
/// storage follows in that order as an int64 little-endian element count and its raw little-endian
/// bytes (torch writes little-endian on any machine).
/// </summary>
internal sealed class TorchLegacyFormat : IStorageSource, IDisposable
{
    private static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356");
    private const long ProtocolVersion = 1001;

    private readonly Stream stream;
    private readonly Dictionary<string, StorageRef> storages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> offsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> cache = new(StringComparer.Ordinal);

    private TorchLegacyFormat(Stream stream) => this.stream = stream;

    public object? Root { get; private set; }

    /// <summary>Whether the stream starts like a legacy checkpoint (a protocol-2+ pickle of the magic number).</summary>
    public static bool LooksLegacy(Stream stream)
    {
        stream.Position = 0;
        var first = stream.ReadByte();
        stream.Position = 0;
        return first == 0x80;
    }

    /// <summary>Reads the pickles and indexes the storages (without reading their bytes); takes ownership of <paramref name="stream"/>.</summary>
    public static TorchLegacyFormat Open(Stream stream)
    {
        var format = new TorchLegacyFormat(stream);
        try
        {
            format.ReadHeader();
            return format;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private void ReadHeader()
    {
        stream.Position = 0;
        var magic = RestrictedUnpickler.Load(stream);
        if (!(magic is BigInteger m && m == Magic))
            throw new InvalidDataException($"it starts with the pickle {PickleText.Of(magic)}, not PyTorch's magic number (not a torch.save checkpoint)");
        var protocol = RestrictedUnpickler.Load(stream);
        if (protocol is not ProtocolVersion)
            throw new InvalidDataException($"its legacy protocol version is {PickleText.Of(protocol)}, not {ProtocolVersion}");
        if (RestrictedUnpickler.Load(stream) is not PickleDict)
            throw new InvalidDataException("its system-info record is not a dict");
        Root = RestrictedUnpickler.Load(stream, PersistentStorage);
        if (RestrictedUnpickler.Load(stream) is not List<object?> keys)
            throw new InvalidDataException("the storage key list after the object is missing");
        foreach (var k in keys)
        {
            if (k is not string key || !storages.TryGetValue(key, out var storage))
                throw new InvalidDataException($"the storage list names {PickleText.Of(k)}, which no tensor uses");
            var count = ReadInt64();
            var elem = StoredTensor.ElementSize(storage.Dtype);
            if (count != storage.Numel)
                throw new InvalidDataException($"storage '{key}' holds {count} elements, but its tensors were saved with {storage.Numel}");
            var bytes = checked(count * elem);
            if (bytes > stream.Length - stream.Position)
                throw new InvalidDataException($"storage '{key}' needs {bytes} bytes, but the file ends {stream.Length - stream.Position} bytes later (truncated?)");
            offsets[key] = stream.Position;
            stream.Position += bytes;
        }
        var unread = storages.Values.FirstOrDefault(s => s.Root is null && !offsets.ContainsKey(s.Key));
        if (unread is not null) throw new InvalidDataException($"storage '{unread.Key}' is used by a tensor but not stored in the file");
    }

    private object PersistentStorage(object? id)
    {
        if (id is not PickleTuple { Count: 6 } t || t[0] is not "storage" || t[1] is not TorchGlobal { What: TorchGlobal.Kind.StorageType } type
            || t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0)
            throw new InvalidDataException($"the pickle has a persistent id {PickleText.Of(id)}, not ('storage', type, key, location, numel, view)");
        if (!storages.TryGetValue(key, out var root))
            storages[key] = root = new StorageRef(this, key, type.StorageType!.Value, numel, location);
        if (t[5] is null) return root;
        if (t[5] is not PickleTuple { Count: 3 } view || view[0] is not string viewKey || view[1] is not long offset || view[2] is not long size
            || offset < 0 || size < 0 || offset + size > root.Numel)
            throw new InvalidDataException($"storage '{key}' has a view {PickleText.Of(t[5])} that is not (key, offset, size) inside its {root.Numel} elements");
        if (!storages.TryGetValue(viewKey, out var existing))
            storages[viewKey] = existing = new StorageRef(this, viewKey, root.Dtype, size, location) { Root = root, ElementOffset = offset };
        return existing;
    }

    public byte[] Read(StorageRef storage)
    {
        var root = storage.Root ?? storage;
        if (cache.TryGetValue(root.Key, out var bytes)) return bytes;
        var length = checked((int)(root.Numel * StoredTensor.ElementSize(root.Dtype)));
        bytes = GC.AllocateUninitializedArray<byte>(length);
        stream.Position = offsets[root.Key];
        stream.ReadExactly(bytes);
        return cache[root.Key] = bytes;
    }

    private long ReadInt64()
    {
        Span<byte> b = stackalloc byte[8];
        try { stream.ReadExactly(b); }
        catch (EndOfStreamException) { throw new InvalidDataException("the file ends where a storage's element count should be (truncated?)"); }
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    public void Dispose() => stream.Dispose();
}
