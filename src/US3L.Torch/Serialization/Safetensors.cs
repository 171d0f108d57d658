using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using US3L.Torch.Native;

namespace US3L.Torch.Serialization;

/// <summary>
/// The safetensors file format (huggingface/safetensors): an 8-byte little-endian header length
/// N, N bytes of JSON header (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
/// "__metadata__": {string: string}}</c>, space-padded to a multiple of 8), then the raw
/// little-endian bytes of every tensor, contiguous and row-major. Offsets are relative to the
/// end of the header; the tensors tile the data section exactly, without gaps or overlaps.
/// </summary>
public static partial class Safetensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>Headers above this size are refused as corrupt (the reference implementation uses 100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly (ScalarType Type, string Code)[] Codes =
    {
        (ScalarType.Float32, "F32"), (ScalarType.Float64, "F64"), (ScalarType.Float16, "F16"), (ScalarType.BFloat16, "BF16"),
        (ScalarType.Int64, "I64"), (ScalarType.Int32, "I32"), (ScalarType.Int16, "I16"), (ScalarType.Int8, "I8"),
        (ScalarType.UInt8, "U8"), (ScalarType.Bool, "BOOL"),
    };

    private static string CodeOf(ScalarType t) => Codes.First(c => c.Type == t).Code;

    private static long SizeOf(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, any layout) in their given order. The file is
    /// written to a temporary file in the same folder and renamed over <paramref name="path"/>, so a
    /// crash never leaves a half-written file under the final name.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        var full = Path.GetFullPath(path);
        var entries = new List<(string Name, Tensor Tensor, long Bytes)>();
        foreach (var (name, t) in tensors)
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.");
            if (t is null || t.IsDisposed) throw new ArgumentException($"Tensor '{name}' is null or disposed.");
            if (!Codes.Any(c => c.Type == t.dtype)) throw new ArgumentException($"Tensor '{name}' has dtype {t.dtype.Name()}, which safetensors cannot store.");
            entries.Add((name, t, t.numel() * SizeOf(t.dtype)));
        }

        var header = BuildHeader(entries, metadata);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var (_, t, bytes) in entries) WriteData(stream, t, bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Tensor, long Bytes)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            var offset = 0L;
            foreach (var (name, t, bytes) in entries)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", CodeOf(t.dtype));
                w.WriteStartArray("shape");
                foreach (var s in t.shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        var json = ms.ToArray();
        var padded = (json.Length + 7) / 8 * 8;
        var result = new byte[padded];
        json.CopyTo(result, 0);
        result.AsSpan(json.Length).Fill((byte)' ');
        return result;
    }

    private static unsafe void WriteData(Stream stream, Tensor t, long bytes)
    {
        if (bytes == 0) return;
        // Copy in chunks of whole rows of the flattened tensor so huge tensors need no huge buffer.
        const long chunk = 64L << 20;
        using var scope = torch.NewDisposeScope();
        var flat = t.detach().reshape(-1);
        var elem = SizeOf(t.dtype);
        var perChunk = Math.Max(1, chunk / elem);
        var buffer = new byte[Math.Min(bytes, perChunk * elem)];
        for (var start = 0L; start < flat.numel(); start += perChunk)
        {
            var n = Math.Min(perChunk, flat.numel() - start);
            using var part = flat.narrow(0, start, n);
            fixed (byte* p = buffer)
                NativeMethods.Check(NativeMethods.us3l_tensor_copy_to(part.Handle, p, n * elem));
            stream.Write(buffer, 0, checked((int)(n * elem)));
        }
    }

    /// <summary>
    /// Reads every tensor (as CPU tensors owned by the current dispose scope) and the metadata.
    /// Any inconsistency in the file is a <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static (OrderedDictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Load(string path)
    {
        RequireLittleEndian();
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var fileLength = stream.Length;
        InvalidDataException Bad(string problem) => new($"'{path}' is not a valid safetensors file: {problem}.");

        if (fileLength < 8) throw Bad($"it has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes) throw Bad($"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if ((long)headerLength > fileLength - 8) throw Bad($"header length {headerLength} runs past the end of the file ({fileLength} bytes; truncated?)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        var entries = ParseHeader(headerBytes, Bad, out var metadata);
        Validate(entries, dataLength, Bad);

        var tensors = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var e in entries)
            {
                stream.Position = dataStart + e.Begin;
                tensors.Add(e.Name, ReadTensor(stream, e));
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    /// <summary>Only the metadata and the tensor names, dtypes and shapes (reads just the header).</summary>
    public static (IReadOnlyList<(string name, ScalarType dtype, long[] shape)> tensors, Dictionary<string, string> metadata) ReadHeader(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        InvalidDataException Bad(string problem) => new($"'{path}' is not a valid safetensors file: {problem}.");
        if (stream.Length < 8) throw Bad($"it has {stream.Length} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > stream.Length - 8)
            throw Bad($"header length {headerLength} does not fit the file ({stream.Length} bytes)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var entries = ParseHeader(headerBytes, Bad, out var metadata);
        Validate(entries, stream.Length - 8 - (long)headerLength, Bad);
        return (entries.Select(e => (e.Name, e.Dtype, e.Shape)).ToList(), metadata);
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Safetensors I/O needs a little-endian machine.");
    }

    private static unsafe Tensor ReadTensor(Stream stream, Entry e)
    {
        var bytes = checked((int)(e.End - e.Begin));
        var buffer = GC.AllocateUninitializedArray<byte>(Math.Max(bytes, 1));
        stream.ReadExactly(buffer, 0, bytes);
        fixed (byte* p = buffer)
        fixed (long* s = e.Shape)
            return NativeMethods.Wrap(NativeMethods.us3l_tensor_from_data(p, s, e.Shape.Length, (int)e.Dtype));
    }
}
