using US3L.Torch.Native;

namespace US3L.Torch.Serialization;

/// <summary>Where a checkpoint's storages come from: the bytes of one storage by its key.</summary>
internal interface IStorageSource
{
    /// <summary>The raw little-endian bytes of <paramref name="storage"/> (its root storage for a view; read once, then cached).</summary>
    byte[] Read(StorageRef storage);
}

/// <summary>
/// One storage of a checkpoint, as its persistent id names it: the key of its bytes, the element
/// type, the element count and the device it was saved from (we always load to the CPU).
/// Several tensors may share one storage (views, tied weights); its bytes are read once.
/// </summary>
public sealed class StorageRef
{
    internal StorageRef(IStorageSource source, string key, ScalarType dtype, long numel, string location)
    {
        Source = source;
        Key = key;
        Dtype = dtype;
        Numel = numel;
        Location = location;
    }

    internal IStorageSource Source { get; }
    public string Key { get; }
    public ScalarType Dtype { get; }
    public long Numel { get; }
    public string Location { get; }

    /// <summary>A sub-range of this storage (legacy checkpoints' storage views), sharing its bytes.</summary>
    internal long ElementOffset { get; init; }
    internal StorageRef? Root { get; init; }
}

/// <summary>
/// A tensor of a checkpoint, not yet read: a view (offset, sizes, strides, in elements) of a
/// storage, as <c>torch._utils._rebuild_tensor_v2</c> describes it. <see cref="Load"/> reads it
/// into a contiguous CPU tensor; nothing is read for tensors that are never loaded (an optimizer's
/// momentum buffers, a teacher's weights).
/// </summary>
public sealed class StoredTensor
{
    internal StoredTensor(StorageRef storage, long offset, long[] size, long[] stride, bool requiresGrad)
    {
        Storage = storage;
        Offset = offset;
        Size = size;
        Stride = stride;
        RequiresGrad = requiresGrad;
        Check();
    }

    public StorageRef Storage { get; }
    public long Offset { get; }
    public long[] Size { get; }
    public long[] Stride { get; }
    public bool RequiresGrad { get; }
    public ScalarType Dtype => Storage.Dtype;

    public long Numel => Size.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Whether the view is the row-major layout of its sizes (its elements are one run of the storage).</summary>
    public bool IsContiguous
    {
        get
        {
            var expected = 1L;
            for (var d = Size.Length - 1; d >= 0; d--)
            {
                if (Size[d] != 1 && Stride[d] != expected) return false;
                expected *= Size[d];
            }
            return true;
        }
    }

    private void Check()
    {
        if (Size.Length != Stride.Length)
            throw new InvalidDataException($"a tensor has {Size.Length} sizes but {Stride.Length} strides.");
        if (Offset < 0 || Size.Any(s => s < 0) || Stride.Any(s => s < 0))
            throw new InvalidDataException($"a tensor has a negative offset, size or stride (offset {Offset}, size {Tensor.ShapeString(Size)}, stride {Tensor.ShapeString(Stride)}).");
        long numel;
        try { numel = Numel; }
        catch (OverflowException) { throw new InvalidDataException($"a tensor's size {Tensor.ShapeString(Size)} is too large to address."); }
        if (numel == 0) return;
        var last = Offset;
        for (var d = 0; d < Size.Length; d++) last += (Size[d] - 1) * Stride[d];
        if (last >= Storage.Numel)
            throw new InvalidDataException(
                $"a tensor (offset {Offset}, size {Tensor.ShapeString(Size)}, stride {Tensor.ShapeString(Stride)}) reaches element {last} of storage '{Storage.Key}', which has {Storage.Numel}.");
    }

    /// <summary>Reads the tensor into a new contiguous CPU tensor (owned by the current dispose scope).</summary>
    public unsafe Tensor Load()
    {
        var elem = ElementSize(Dtype);
        var bytes = Storage.Source.Read(Storage);
        var baseOffset = Storage.ElementOffset + Offset;
        var numel = Numel;
        var result = GC.AllocateUninitializedArray<byte>((int)Math.Max(1, checked(numel * elem)));
        if (IsContiguous)
            Buffer.BlockCopy(bytes, checked((int)(baseOffset * elem)), result, 0, checked((int)(numel * elem)));
        else
            Gather(bytes, baseOffset, elem, result);
        var shape = Size.Length == 0 ? Array.Empty<long>() : Size;
        fixed (byte* p = result)
        fixed (long* s = shape)
            return NativeMethods.Wrap(NativeMethods.us3l_tensor_from_data(p, s, shape.Length, (int)Dtype));
    }

    /// <summary>Copies a strided view element by element in row-major order.</summary>
    private void Gather(byte[] source, long baseOffset, int elem, byte[] target)
    {
        var dims = Size.Length;
        var counter = new long[dims];
        var numel = Numel;
        var position = baseOffset;
        for (var i = 0L; i < numel; i++)
        {
            Buffer.BlockCopy(source, checked((int)(position * elem)), target, checked((int)(i * elem)), elem);
            for (var d = dims - 1; d >= 0; d--)
            {
                if (++counter[d] < Size[d])
                {
                    position += Stride[d];
                    break;
                }
                position -= (Size[d] - 1) * Stride[d];
                counter[d] = 0;
            }
        }
    }

    internal static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    public override string ToString() => $"tensor({Dtype.Name()}, {Tensor.ShapeString(Size)})";
}
