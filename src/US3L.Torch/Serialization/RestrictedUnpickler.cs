using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace US3L.Torch.Serialization;

/// <summary>
/// A pickle reader for PyTorch checkpoints (protocols 0-5, as torch.save writes them with protocol
/// 2): it builds plain values (see <see cref="PickleTuple"/>) and resolves every GLOBAL through
/// <see cref="TorchGlobal"/>'s allowlist, so a pickle that names <c>os.system</c>, <c>builtins.eval</c>
/// or any class is refused when the name is read, before anything could run. Opcodes that build
/// arbitrary objects (INST, OBJ, the extension registry, out-of-band buffers) are refused too.
/// Lengths are checked against the bytes left, so a corrupt length cannot allocate gigabytes.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private readonly Stream stream;
    private readonly Func<object?, object?> persistentLoad;
    private readonly Dictionary<long, object?> memo = new();
    private List<object?> stack = new();
    private readonly Stack<List<object?>> metastack = new();

    /// <param name="stream">Positioned at the pickle; left just after its STOP opcode.</param>
    /// <param name="persistentLoad">Resolves a persistent id (PyTorch's storages); null refuses them.</param>
    public RestrictedUnpickler(Stream stream, Func<object?, object?>? persistentLoad = null)
    {
        this.stream = stream;
        this.persistentLoad = persistentLoad ?? (_ => throw new InvalidDataException("the pickle holds a persistent id where none is expected."));
    }

    /// <summary>Reads one pickle and returns its value.</summary>
    public static object? Load(Stream stream, Func<object?, object?>? persistentLoad = null) =>
        new RestrictedUnpickler(stream, persistentLoad).Load();

    public object? Load()
    {
        while (true)
        {
            var position = stream.Position;
            var code = stream.ReadByte();
            if (code < 0) throw new InvalidDataException($"the pickle ends at byte {position} without its STOP opcode (truncated?).");
            try
            {
                if (Step((byte)code, out var result)) return result;
            }
            catch (Exception e) when (e is InvalidCastException or ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException or KeyNotFoundException)
            {
                throw new InvalidDataException($"the pickle is malformed at byte {position} (opcode 0x{code:x2}): {e.Message}");
            }
        }
    }

    private bool Step(byte code, out object? result)
    {
        result = null;
        switch (code)
        {
            case 0x80: ReadByte(); break;                                    // PROTO
            case 0x95: ReadBytes(8); break;                                  // FRAME (length only; we read sequentially)
            case (byte)'.': result = Pop(); return true;                     // STOP
            case (byte)'(': metastack.Push(stack); stack = new(); break;     // MARK
            case (byte)'0': Pop(); break;                                    // POP
            case (byte)'1': PopMark(); break;                                // POP_MARK
            case (byte)'2': Push(Top()); break;                              // DUP

            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break;                                    // NEWTRUE
            case 0x89: Push(false); break;                                   // NEWFALSE
            case (byte)'I': Push(ParseIntLine(ReadLine())); break;           // INT
            case (byte)'L': Push(Shrink(BigInteger.Parse(ReadLine().TrimEnd('L'), CultureInfo.InvariantCulture))); break;  // LONG
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;   // BININT
            case (byte)'K': Push((long)ReadByte()); break;                   // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;  // BININT2
            case 0x8a: Push(DecodeLong(ReadBytes(ReadByte()))); break;       // LONG1
            case 0x8b: Push(DecodeLong(ReadBytes(ReadLength(4)))); break;    // LONG4
            case (byte)'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break;  // FLOAT
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;           // BINFLOAT

            case (byte)'X': Push(Utf8(ReadBytes(ReadLength(4)))); break;     // BINUNICODE
            case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break;             // SHORT_BINUNICODE
            case 0x8d: Push(Utf8(ReadBytes(ReadLength(8)))); break;          // BINUNICODE8
            case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break;  // BINSTRING (Python 2 str)
            case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;     // SHORT_BINSTRING
            case (byte)'B': Push(ReadBytes(ReadLength(4))); break;           // BINBYTES
            case (byte)'C': Push(ReadBytes(ReadByte())); break;              // SHORT_BINBYTES
            case 0x8e: Push(ReadBytes(ReadLength(8))); break;                // BINBYTES8
            case 0x96: Push(ReadBytes(ReadLength(8))); break;                // BYTEARRAY8

            case (byte)')': Push(PickleTuple.Empty); break;                  // EMPTY_TUPLE
            case (byte)'t': Push(new PickleTuple(PopMark().ToArray())); break;  // TUPLE
            case 0x85: Push(new PickleTuple(Pop())); break;                  // TUPLE1
            case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple(a, b)); break; }  // TUPLE2
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple(a, b, c)); break; }  // TUPLE3
            case (byte)']': Push(new List<object?>()); break;                // EMPTY_LIST
            case (byte)'l': Push(PopMark()); break;                          // LIST
            case (byte)'a': { var item = Pop(); Target<List<object?>>("APPEND").Add(item); break; }
            case (byte)'e': { var items = PopMark(); Target<List<object?>>("APPENDS").AddRange(items); break; }
            case (byte)'}': Push(new PickleDict()); break;                   // EMPTY_DICT
            case (byte)'d': Push(DictOf(PopMark())); break;                  // DICT
            case (byte)'s': { var v = Pop(); var k = Pop(); Target<PickleDict>("SETITEM").Set(k, v); break; }
            case (byte)'u': { var items = PopMark(); SetItems(Target<PickleDict>("SETITEMS"), items); break; }
            case 0x8f: Push(new List<object?>()); break;                     // EMPTY_SET (a list here)
            case 0x90: { var items = PopMark(); Target<List<object?>>("ADDITEMS").AddRange(items); break; }
            case 0x91: Push(PopMark()); break;                               // FROZENSET

            case (byte)'p': memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Top(); break;  // PUT
            case (byte)'q': memo[ReadByte()] = Top(); break;                 // BINPUT
            case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Top(); break;  // LONG_BINPUT
            case 0x94: memo[memo.Count] = Top(); break;                      // MEMOIZE
            case (byte)'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break;   // GET
            case (byte)'h': Push(Memo(ReadByte())); break;                   // BINGET
            case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;  // LONG_BINGET

            case (byte)'c': Push(Global(ReadLine(), ReadLine())); break;     // GLOBAL
            case 0x93: { var name = Pop(); var module = Pop(); Push(Global(Text(module, "module"), Text(name, "name"))); break; }  // STACK_GLOBAL
            case (byte)'R': { var args = Pop(); var f = Pop(); Push(Callable(f, "REDUCE").Call(Args(args))); break; }  // REDUCE
            case 0x81: { var args = Pop(); var cls = Pop(); Push(Callable(cls, "NEWOBJ").New(Args(args))); break; }  // NEWOBJ
            case 0x92: { Pop(); var args = Pop(); var cls = Pop(); Push(Callable(cls, "NEWOBJ_EX").New(Args(args))); break; }  // NEWOBJ_EX
            case (byte)'b': Build(Pop()); break;                             // BUILD
            case (byte)'P': Push(persistentLoad(ReadLine())); break;         // PERSID
            case (byte)'Q': Push(persistentLoad(Pop())); break;              // BINPERSID

            case (byte)'i': Global(ReadLine(), ReadLine()); throw Refused("INST");  // resolving first names a refused class
            case (byte)'o': throw Refused("OBJ");
            case 0x82 or 0x83 or 0x84: throw Refused("EXT (the copyreg extension registry)");
            case 0x97 or 0x98: throw Refused("out-of-band buffers");
            case (byte)'S' or (byte)'V':
                throw new InvalidDataException($"the pickle uses protocol-0 text strings (opcode '{(char)code}'), which torch.save never writes; re-save the checkpoint with torch.save.");
            default:
                throw new InvalidDataException($"the pickle has an unknown opcode 0x{code:x2} at byte {stream.Position - 1}.");
        }
        return false;
    }

    private static UnsafePickleException Refused(string opcode) =>
        new(opcode, $"the pickle uses the {opcode} opcode, which this reader refuses (it builds arbitrary objects); nothing was executed");

    private static object? Global(string module, string name)
    {
        var g = TorchGlobal.Resolve(module, name);
        return g.What == TorchGlobal.Kind.Dtype ? g.Name : g;
    }

    private static TorchGlobal Callable(object? f, string opcode) =>
        f as TorchGlobal ?? throw new InvalidDataException($"{opcode} on a {PickleText.TypeOf(f)}, which is not callable.");

    private static PickleTuple Args(object? args) =>
        args as PickleTuple ?? throw new InvalidDataException($"call arguments must be a tuple, got {PickleText.TypeOf(args)}.");

    private void Build(object? state)
    {
        switch (Top())
        {
            case PickleDict dict when state is PickleDict attributes:
                dict.Attributes = attributes;
                break;
            case StoredTensor:
                break;  // a Parameter's or tensor's Python attributes: not part of the data
            case var other:
                throw new InvalidDataException($"BUILD on a {PickleText.TypeOf(other)} with a {PickleText.TypeOf(state)} state is not supported.");
        }
    }

    private static PickleDict DictOf(List<object?> items)
    {
        var dict = new PickleDict();
        SetItems(dict, items);
        return dict;
    }

    private static void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS has an odd number of items.");
        for (var i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
    }

    private static object ParseIntLine(string line) => line switch
    {
        "00" => false,
        "01" => true,
        _ => Shrink(BigInteger.Parse(line, CultureInfo.InvariantCulture)),
    };

    private static object DecodeLong(byte[] bytes) => Shrink(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static object Shrink(BigInteger n) => n >= long.MinValue && n <= long.MaxValue ? (long)n : n;

    private static string Utf8(byte[] bytes)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException("the pickle holds a string that is not valid UTF-8."); }
    }

    private static string Text(object? value, string what) =>
        value as string ?? throw new InvalidDataException($"STACK_GLOBAL's {what} is {PickleText.TypeOf(value)}, not a string.");

    private T Target<T>(string opcode) where T : class =>
        Top() as T ?? throw new InvalidDataException($"{opcode} on a {PickleText.TypeOf(Top())}.");

    private object? Memo(long key) =>
        memo.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"the pickle reads memo entry {key}, which was never stored.");

    private void Push(object? value) => stack.Add(value);

    private object? Top() => stack.Count > 0 ? stack[^1] : throw new InvalidDataException("the pickle reads an empty stack.");

    private object? Pop()
    {
        var v = Top();
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private List<object?> PopMark()
    {
        if (metastack.Count == 0) throw new InvalidDataException("the pickle closes a MARK it never opened.");
        var items = stack;
        stack = metastack.Pop();
        return items;
    }

    private byte ReadByte()
    {
        var b = stream.ReadByte();
        return b >= 0 ? (byte)b : throw new InvalidDataException("the pickle ends in the middle of an opcode (truncated?).");
    }

    /// <summary>A length field, refused when it is longer than what is left of the stream.</summary>
    private int ReadLength(int bytes)
    {
        var raw = ReadBytes(bytes);
        var n = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        var left = stream.Length - stream.Position;
        if (n > (ulong)left) throw new InvalidDataException($"the pickle declares {n} bytes but only {left} are left (truncated or corrupt).");
        return checked((int)n);
    }

    private byte[] ReadBytes(int n)
    {
        var buffer = new byte[n];
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new InvalidDataException("the pickle ends in the middle of an opcode (truncated?)."); }
        return buffer;
    }

    /// <summary>A newline-terminated ASCII argument (protocol-0 opcodes, GLOBAL's module and name).</summary>
    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = ReadByte();
            if (b == (byte)'\n') return sb.ToString();
            if (sb.Length > 4096) throw new InvalidDataException("the pickle has a text argument longer than 4096 bytes.");
            sb.Append((char)b);
        }
    }
}
