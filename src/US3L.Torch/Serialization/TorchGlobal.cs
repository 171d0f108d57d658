using System.Text;

namespace US3L.Torch.Serialization;

/// <summary>
/// The globals a PyTorch checkpoint of tensors, dicts, lists, numbers and strings names, and the
/// only ones <see cref="RestrictedUnpickler"/> accepts (the same set as torch 1.13's
/// <c>torch.load(weights_only=True)</c>, less sparse and meta tensors, plus <c>torch.device</c>
/// and <c>_codecs.encode</c> that torch 2.x allows). A global is a C# stand-in, never a lookup:
/// calling one runs the C# code below, and any other name is refused when it is read.
/// </summary>
internal sealed class TorchGlobal
{
    private TorchGlobal(string name, Kind kind, ScalarType? storageType = null)
    {
        Name = name;
        What = kind;
        StorageType = storageType;
    }

    internal enum Kind { OrderedDict, RebuildTensor, RebuildTensorV2, RebuildParameter, RebuildParameterWithState, RebuildFromType, TensorType, StorageType, Device, Size, Encode, Set, Dtype }

    public string Name { get; }
    public Kind What { get; }

    /// <summary>The element type of a storage type (<c>torch.FloatStorage</c> → float32).</summary>
    public ScalarType? StorageType { get; }

    private static readonly Dictionary<string, TorchGlobal> Allowed = Build();

    private static Dictionary<string, TorchGlobal> Build()
    {
        var all = new List<TorchGlobal>
        {
            new("collections.OrderedDict", Kind.OrderedDict),
            new("torch._utils._rebuild_tensor", Kind.RebuildTensor),
            new("torch._utils._rebuild_tensor_v2", Kind.RebuildTensorV2),
            new("torch._utils._rebuild_parameter", Kind.RebuildParameter),
            new("torch._utils._rebuild_parameter_with_state", Kind.RebuildParameterWithState),
            new("torch._tensor._rebuild_from_type_v2", Kind.RebuildFromType),
            new("torch.Tensor", Kind.TensorType),
            new("torch.nn.parameter.Parameter", Kind.TensorType),
            new("torch.device", Kind.Device),
            new("torch.Size", Kind.Size),
            new("_codecs.encode", Kind.Encode),
            new("builtins.set", Kind.Set),
        };
        foreach (var (storage, dtype) in new[]
                 {
                     ("Float", ScalarType.Float32), ("Double", ScalarType.Float64), ("Half", ScalarType.Float16),
                     ("BFloat16", ScalarType.BFloat16), ("Long", ScalarType.Int64), ("Int", ScalarType.Int32),
                     ("Short", ScalarType.Int16), ("Char", ScalarType.Int8), ("Byte", ScalarType.UInt8), ("Bool", ScalarType.Bool),
                 })
            all.Add(new($"torch.{storage}Storage", Kind.StorageType, dtype));
        all.Add(new("torch.UntypedStorage", Kind.StorageType, ScalarType.UInt8));
        foreach (var dtype in new[] { "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool" })
            all.Add(new($"torch.{dtype}", Kind.Dtype));
        return all.ToDictionary(g => g.Name);
    }

    /// <summary>The stand-in for <paramref name="module"/>.<paramref name="name"/>; anything outside the allowlist is refused.</summary>
    public static TorchGlobal Resolve(string module, string name)
    {
        var full = $"{module}.{name}";
        if (Allowed.TryGetValue(full, out var g)) return g;
        throw new UnsafePickleException(full,
            $"the pickle names the global '{full}', which this reader refuses (it allows only tensor-rebuilding functions, " +
            "storage types and plain containers); nothing was executed");
    }

    /// <summary>Calls the stand-in with the pickled argument tuple (REDUCE) and returns the Python value it builds.</summary>
    public object? Call(PickleTuple args)
    {
        switch (What)
        {
            case Kind.OrderedDict:
                return NewDict(args, ordered: true);
            case Kind.RebuildTensor:
                Arity(args, 4, 4);
                return Rebuild(args, requiresGrad: false);
            case Kind.RebuildTensorV2:
                // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
                Arity(args, 6, 7);
                return Rebuild(args, Arg<bool>(args, 4, "requires_grad"));
            case Kind.RebuildParameter:
                Arity(args, 3, 3);
                return Arg<StoredTensor>(args, 0, "data");
            case Kind.RebuildParameterWithState:
                Arity(args, 4, 4);
                return Arg<StoredTensor>(args, 0, "data");
            case Kind.RebuildFromType:
                // (func, type, args, state): a tensor (sub)class with Python attributes; the attributes are dropped.
                Arity(args, 4, 4);
                var func = Arg<TorchGlobal>(args, 0, "func");
                var type = Arg<TorchGlobal>(args, 1, "type");
                if (type.What != Kind.TensorType || func.What is not (Kind.RebuildTensor or Kind.RebuildTensorV2 or Kind.RebuildParameter or Kind.RebuildParameterWithState))
                    throw Bad($"{Name} may only rebuild a torch.Tensor or Parameter with a tensor-rebuilding function, not {func.Name} / {type.Name}");
                return func.Call(Arg<PickleTuple>(args, 2, "args"));
            case Kind.Device:
                Arity(args, 1, 2);
                var device = Arg<string>(args, 0, "type");
                return args.Count == 2 && args[1] is long index ? $"{device}:{index}" : device;
            case Kind.Size:
                Arity(args, 0, 1);
                return args.Count == 0 ? PickleTuple.Empty : new PickleTuple(Items(args[0]).ToArray());
            case Kind.Encode:
                // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1').
                Arity(args, 1, 2);
                var encoding = args.Count == 2 ? Arg<string>(args, 1, "encoding") : "utf-8";
                if (encoding is not ("latin1" or "latin-1"))
                    throw Bad($"_codecs.encode with encoding '{encoding}' is not supported (only latin1, which pickles bytes)");
                return Encoding.Latin1.GetBytes(Arg<string>(args, 0, "text"));
            case Kind.Set:
                Arity(args, 0, 1);
                return args.Count == 0 ? new List<object?>() : Items(args[0]).ToList();
            default:
                throw Bad($"{Name} cannot be called");
        }
    }

    /// <summary>NEWOBJ: only <c>Parameter(data, requires_grad)</c> is built this way in checkpoints.</summary>
    public object? New(PickleTuple args)
    {
        if (Name != "torch.nn.parameter.Parameter") throw Bad($"{Name} cannot be instantiated");
        return args.Count == 0 ? throw Bad("Parameter() without data") : Arg<StoredTensor>(args, 0, "data");
    }

    private StoredTensor Rebuild(PickleTuple args, bool requiresGrad)
    {
        var storage = Arg<StorageRef>(args, 0, "storage");
        var offset = Arg<long>(args, 1, "storage_offset");
        var size = Longs(args[2], "size");
        var stride = Longs(args[3], "stride");
        try
        {
            return new StoredTensor(storage, offset, size, stride, requiresGrad);
        }
        catch (InvalidDataException e)
        {
            throw Bad(e.Message.TrimEnd('.'));
        }
    }

    private static PickleDict NewDict(PickleTuple args, bool ordered)
    {
        var dict = new PickleDict(ordered);
        if (args.Count == 0) return dict;
        if (args.Count > 1) throw new InvalidDataException("OrderedDict takes at most one argument.");
        foreach (var item in Items(args[0]))
        {
            if (item is not IReadOnlyList<object?> { Count: 2 } pair) throw new InvalidDataException("OrderedDict's argument must hold (key, value) pairs.");
            dict.Set(pair[0], pair[1]);
        }
        return dict;
    }

    private static IEnumerable<object?> Items(object? value) => value switch
    {
        PickleTuple t => t,
        List<object?> l => l,
        _ => throw new InvalidDataException($"expected a tuple or list, got {PickleText.TypeOf(value)}."),
    };

    private long[] Longs(object? value, string what) =>
        Items(value).Select(v => v is long n ? n : throw Bad($"{what} holds {PickleText.TypeOf(v)}, not int")).ToArray();

    private T Arg<T>(PickleTuple args, int i, string what) =>
        args[i] is T value ? value : throw Bad($"argument {what} is {PickleText.TypeOf(args[i])}");

    private void Arity(PickleTuple args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
            throw Bad($"takes {(min == max ? $"{min}" : $"{min} to {max}")} arguments, got {args.Count}");
    }

    private InvalidDataException Bad(string problem) => new($"{Name}: {problem}.");

    public override string ToString() => Name;
}
