using System.Buffers.Binary;
using System.IO.Compression;

namespace US3L.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a big-endian
/// magic 0x0000TTDD (TT = 0x08 for unsigned bytes, DD = number of dimensions), DD big-endian int32
/// sizes, then the data. Files ending in .gz are decompressed on the fly.
/// </summary>
internal static class IdxFile
{
    /// <summary>Reads an unsigned-byte IDX file with <paramref name="expectedDims"/> dimensions.</summary>
    public static (int[] Dims, byte[] Data) ReadUBytes(string path, int expectedDims)
    {
        try
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(file, CompressionMode.Decompress)
                : file;
            var header = new byte[4];
            ReadExactly(stream, header, path, "the 4-byte magic number");
            var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            var expectedMagic = 0x0800u | (uint)expectedDims;
            if (magic != expectedMagic)
                throw new DatasetException(
                    $"{path}: bad magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} " +
                    $"(an IDX file of unsigned bytes with {expectedDims} dimensions). The file is corrupt or of another kind.");
            var dims = new int[expectedDims];
            var dimBytes = new byte[4 * expectedDims];
            ReadExactly(stream, dimBytes, path, "the dimension sizes");
            long total = 1;
            for (var d = 0; d < expectedDims; d++)
            {
                dims[d] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * d));
                if (dims[d] < 0) throw new DatasetException($"{path}: negative size {dims[d]} in dimension {d}; the file is corrupt.");
                total *= dims[d];
            }
            if (total > Array.MaxLength)
                throw new DatasetException($"{path}: header announces {total} bytes, more than one array can hold; the file is corrupt.");
            var data = new byte[total];
            ReadExactly(stream, data, path, $"{total} data bytes for sizes [{string.Join(", ", dims)}]");
            if (stream.ReadByte() != -1)
                throw new DatasetException($"{path}: extra bytes after the {total} data bytes announced by the header; the file is corrupt.");
            return (dims, data);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: not a valid gzip file ({e.Message}). Re-install or re-download it.", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new DatasetException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string path, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw new DatasetException($"{path}: truncated: reading {what}, the file ended after {read} of {buffer.Length} bytes.");
    }
}
