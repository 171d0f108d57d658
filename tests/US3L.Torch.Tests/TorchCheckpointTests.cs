using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.Json;
using US3L.Torch.Serialization;

namespace US3L.Torch.Tests;

/// <summary>
/// Reading torch.save files without Python: both formats, every dtype, views with offsets and
/// strides, shared storages, the other Python values a checkpoint holds, and the refusal of
/// pickles that would run code. The files come from Debian's PyTorch (reference/torch_checkpoints.py).
/// </summary>
public sealed class TorchCheckpointTests : IDisposable, IClassFixture<TorchReferenceFiles>
{
    private readonly string dir = Directory.CreateTempSubdirectory("us3l-torch-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private readonly TorchReferenceFiles written;

    public TorchCheckpointTests(TorchReferenceFiles written) => this.written = written;

    private static PickleDict Dict(object? value) => Assert.IsType<PickleDict>(value);

    private static object? Get(PickleDict d, string key)
    {
        Assert.True(d.TryGetValue(key, out var v), $"no key '{key}'");
        return v;
    }

    [Theory]
    [InlineData("zip.pt", "zip (archive 'zip', version 3, little-endian)")]
    [InlineData("legacy.pt", "legacy (protocol 1001)")]
    [InlineData("bigendian.pt", "zip (archive 'zip', version 3, big-endian)")]
    public void EveryTensorReadsAsPyTorchWroteIt(string file, string format)
    {
        using var scope = torch.NewDisposeScope();
        using var checkpoint = TorchCheckpoint.Load(Path.Combine(written.Folder, file));
        Assert.Equal(format, checkpoint.Format);
        var root = Dict(checkpoint.Root);
        Assert.Equal(3L, Get(root, "epoch"));
        Assert.Equal("us_cifar_resnet18", Get(root, "arch"));
        var state = Dict(Get(root, "state_dict"));
        Assert.True(state.Ordered);

        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(written.Folder, "expected.json")));
        Assert.Equal(expected.RootElement.EnumerateObject().Select(p => p.Name), state.StringKeys);
        foreach (var p in expected.RootElement.EnumerateObject())
        {
            var stored = Assert.IsType<StoredTensor>(Get(state, p.Name));
            var t = stored.Load();
            Assert.Equal(p.Value.GetProperty("dtype").GetString(), t.dtype.Name());
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), t.shape);
            var want = p.Value.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(want, t.to(ScalarType.Float64).reshape(-1).ToArray<double>());
        }
    }

    [Fact]
    public void ViewsAndSharedNamesPointIntoOneStorage()
    {
        using var checkpoint = TorchCheckpoint.Load(Path.Combine(written.Folder, "zip.pt"));
        var state = Dict(Dict(checkpoint.Root).TryGetValue("state_dict", out var s) ? s : null);
        StoredTensor T(string name) => Assert.IsType<StoredTensor>(Get(state, name));
        Assert.Same(T("f32").Storage, T("transposed").Storage);
        Assert.Equal(new long[] { 1, 6 }, T("transposed").Stride);
        Assert.False(T("transposed").IsContiguous);
        Assert.Equal(1 * 6 + 2, T("narrowed").Offset);
        Assert.Equal(new long[] { 1, 0 }, T("expanded").Stride);
        Assert.Same(T("shared_a"), T("shared_b"));
        Assert.Same(T("shared_a").Storage, T("shared_tail").Storage);
        Assert.Equal(6, T("shared_tail").Offset);
    }

    [Theory]
    [InlineData("zip.pt")]
    [InlineData("legacy.pt")]
    public void PlainPythonValuesSurvive(string file)
    {
        using var checkpoint = TorchCheckpoint.Load(Path.Combine(written.Folder, file));
        var root = Dict(checkpoint.Root);
        var extra = Dict(Get(root, "extra"));
        var list = Assert.IsType<List<object?>>(Get(extra, "list"));
        Assert.Equal(new object?[] { 1L, 2.5, "text", null, true, new PickleTuple(1L, "two") }, list);
        Assert.Equal(BigInteger.Pow(2, 70), Get(extra, "big"));
        Assert.Equal(-5L, Get(extra, "negative"));
        Assert.Equal(new byte[] { 0, 0xff, (byte)'a', (byte)'b' }, Get(extra, "bytes"));
        Assert.Equal(-1.5e-8, Get(extra, "float"));
        var optimizer = Dict(Get(root, "optimizer"));
        var group = Dict(Assert.Single(Assert.IsType<List<object?>>(Get(optimizer, "param_groups"))));
        Assert.Equal(0.05, Get(group, "lr"));
        Assert.Null(Get(group, "foreach"));
        var momentum = Dict(Dict(Get(optimizer, "state")).TryGetValue(0L, out var st) ? st : null);
        using var buffer = Assert.IsType<StoredTensor>(Get(momentum, "momentum_buffer")).Load();
        Assert.Equal(new[] { 1f, 1f }, buffer.ToArray<float>());
    }

    // ---- refusals: the payloads would create a file if anything ran ----

    private static byte[] Pickle(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] BinUnicode(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return Pickle(new[] { (byte)'X' }, BitConverter.GetBytes(b.Length), b);
    }

    /// <summary>GLOBAL module.name, one string argument, REDUCE, STOP (protocol 2).</summary>
    private static byte[] CallPayload(string module, string name, string argument) =>
        Pickle(new byte[] { 0x80, 2 }, Ascii($"c{module}\n{name}\n"), BinUnicode(argument), new byte[] { 0x85, (byte)'R', (byte)'.' });

    /// <summary>The payload hidden inside an otherwise ordinary dict: {'epoch': 1, 'state_dict': payload}.</summary>
    private static byte[] NestedPayload(string module, string name, string argument) =>
        Pickle(new byte[] { 0x80, 2, (byte)'}', (byte)'(' }, BinUnicode("epoch"), new byte[] { (byte)'K', 1 }, BinUnicode("state_dict"),
            Ascii($"c{module}\n{name}\n"), BinUnicode(argument), new byte[] { 0x85, (byte)'R', (byte)'u', (byte)'.' });

    private string Zip(string name, byte[] dataPkl)
    {
        var path = Path.Combine(dir, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, bytes) in new[] { ("archive/data.pkl", dataPkl), ("archive/version", Ascii("3\n")) })
        {
            using var s = zip.CreateEntry(entry, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
        return path;
    }

    /// <summary>A legacy checkpoint whose object pickle is <paramref name="payload"/>, after a valid magic, protocol and system info.</summary>
    private string Legacy(string name, byte[] payload)
    {
        var magic = Pickle(new byte[] { 0x80, 2, 0x8a, 10 }, Convert.FromHexString("6c fc 9c 46 f9 20 6a a8 50 19".Replace(" ", "")), new[] { (byte)'.' });
        var protocol = new byte[] { 0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.' };
        var sysInfo = new byte[] { 0x80, 2, (byte)'}', (byte)'.' };
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, Pickle(magic, protocol, sysInfo, payload));
        return path;
    }

    public static TheoryData<string, string, string> Payloads => new()
    {
        { "os", "system", "touch {0}" },
        { "posix", "system", "touch {0}" },
        { "builtins", "eval", "open('{0}', 'w').write('ran')" },
        { "subprocess", "getoutput", "touch {0}" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void APickleThatWouldRunCodeIsRefusedAndNothingRuns(string module, string name, string template)
    {
        var marker = Path.Combine(dir, "ran");
        var argument = string.Format(template, marker);

        // The payload is live: Python's own unpickler runs it.
        var raw = Path.Combine(dir, "raw.pkl");
        File.WriteAllBytes(raw, CallPayload(module, name, argument));
        PythonReference.Run("torch_checkpoints.py", "unpickle", raw);
        Assert.True(File.Exists(marker), "the crafted payload did not run under Python's pickle; the test would prove nothing");
        File.Delete(marker);

        foreach (var file in new[]
                 {
                     Zip("top.pt", CallPayload(module, name, argument)), Zip("nested.pt", NestedPayload(module, name, argument)),
                     Legacy("legacy.pt", CallPayload(module, name, argument)), Legacy("legacy-nested.pt", NestedPayload(module, name, argument)),
                 })
        {
            var e = Assert.Throws<UnsafePickleException>(() => TorchCheckpoint.Load(file));
            Assert.Equal($"{module}.{name}", e.Global);
            Assert.Contains($"'{file}' is refused", e.Message);
            Assert.Contains($"'{module}.{name}'", e.Message);
            Assert.Contains("nothing was executed", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(File.Exists(marker), $"{file}: the payload ran");
        }
    }

    [Fact]
    public void ObjectBuildingOpcodesAreRefused()
    {
        // INST: protocol 0's "instantiate a class by name".
        var inst = Pickle(Ascii("(ios\nsystem\n"), BinUnicode("true"), new[] { (byte)'.' });
        var e = Assert.Throws<UnsafePickleException>(() => TorchCheckpoint.Load(Zip("inst.pt", inst)));
        Assert.Equal("os.system", e.Global);
        // STACK_GLOBAL (protocol 4) names the global through two strings on the stack.
        var stackGlobal = Pickle(new byte[] { 0x80, 4 }, BinUnicode("builtins"), BinUnicode("exec"), new byte[] { 0x93, (byte)'.' });
        Assert.Equal("builtins.exec", Assert.Throws<UnsafePickleException>(() => TorchCheckpoint.Load(Zip("sg.pt", stackGlobal))).Global);
    }

    [Fact]
    public void BrokenFilesGetOneLineNamingTheFile()
    {
        var missing = Path.Combine(dir, "missing.pt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => TorchCheckpoint.Load(missing)).Message);

        var text = Path.Combine(dir, "notes.txt");
        File.WriteAllText(text, "hello");
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(text));
        Assert.Equal($"'{text}' is not a PyTorch checkpoint: it is neither a torch.save zip archive nor the legacy pickle format.", e.Message);

        var good = File.ReadAllBytes(Path.Combine(written.Folder, "zip.pt"));
        var cut = Path.Combine(dir, "cut.pt");
        File.WriteAllBytes(cut, good[..(good.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(cut));
        Assert.StartsWith($"'{cut}' is not a readable PyTorch checkpoint: it is a damaged zip archive", e.Message);

        var legacy = File.ReadAllBytes(Path.Combine(written.Folder, "legacy.pt"));
        var cutLegacy = Path.Combine(dir, "cut-legacy.pt");
        File.WriteAllBytes(cutLegacy, legacy[..(legacy.Length - 10)]);
        e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(cutLegacy));
        Assert.StartsWith($"'{cutLegacy}' is not a readable PyTorch checkpoint: storage '", e.Message);
        Assert.Contains("truncated", e.Message);

        var noPickle = Path.Combine(dir, "nopickle.pt");
        using (var zip = ZipFile.Open(noPickle, ZipArchiveMode.Create)) zip.CreateEntry("a/version");
        e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(noPickle));
        Assert.Contains("without a <name>/data.pkl record", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LegacyStorageViewsReadTheirSliceOfTheRootStorage()
    {
        // torch < 1.0 saved storage slices as ('storage', type, root_key, location, numel, (view_key, offset, size)).
        // Two tensors: the view [2, 5) of root's six floats, and root itself reshaped to 2 x 3.
        byte[] Tensor(byte[] persistentId, byte[] sizes, byte[] strides) =>
            Pickle(new[] { (byte)'h', (byte)0, (byte)'(' }, persistentId, new[] { (byte)'Q', (byte)'K', (byte)0 }, sizes, strides,
                new byte[] { 0x89, (byte)'h', 1, (byte)')', (byte)'R', (byte)'t', (byte)'R' });
        var rootId = Pickle(new[] { (byte)'(' }, BinUnicode("storage"), new[] { (byte)'h', (byte)2 }, BinUnicode("root"), BinUnicode("cpu"),
            new byte[] { (byte)'K', 6, (byte)'N', (byte)'t' });
        var viewId = Pickle(new[] { (byte)'(' }, BinUnicode("storage"), new[] { (byte)'h', (byte)2 }, BinUnicode("root"), BinUnicode("cpu"),
            new byte[] { (byte)'K', 6 }, BinUnicode("view"), new byte[] { (byte)'K', 2, (byte)'K', 3, 0x87, (byte)'t' });
        var obj = Pickle(new byte[] { 0x80, 2 }, Ascii("ctorch._utils\n_rebuild_tensor_v2\nq\x00"), Ascii("ccollections\nOrderedDict\nq\x01"),
            Ascii("ctorch\nFloatStorage\nq\x02"), new[] { (byte)'0', (byte)'0', (byte)'0', (byte)']', (byte)'(' },
            Tensor(viewId, new byte[] { (byte)'K', 3, 0x85 }, new byte[] { (byte)'K', 1, 0x85 }),
            Tensor(rootId, new byte[] { (byte)'K', 2, (byte)'K', 3, 0x86 }, new byte[] { (byte)'K', 3, (byte)'K', 1, 0x86 }),
            new[] { (byte)'e', (byte)'.' });
        var keys = Pickle(new byte[] { 0x80, 2, (byte)']' }, BinUnicode("root"), new[] { (byte)'a', (byte)'.' });
        var floats = new[] { 0f, 1f, 2f, 3f, 4f, 5f };
        var storage = Pickle(BitConverter.GetBytes(6L), floats.SelectMany(BitConverter.GetBytes).ToArray());
        var path = Legacy("views.pt", Pickle(obj, keys, storage));

        using var scope = torch.NewDisposeScope();
        using var checkpoint = TorchCheckpoint.Load(path);
        var list = Assert.IsType<List<object?>>(checkpoint.Root);
        var view = Assert.IsType<StoredTensor>(list[0]);
        var root = Assert.IsType<StoredTensor>(list[1]);
        Assert.Equal(new[] { 2f, 3f, 4f }, view.Load().ToArray<float>());
        Assert.Equal(floats, root.Load().ToArray<float>());
        Assert.Equal(new long[] { 2, 3 }, root.Size);
    }

    [Fact]
    public void AStorageTooSmallForItsTensorIsCorrupt()
    {
        // data.pkl claims 12 float32 elements, the record holds 8 bytes.
        var pkl = Pickle(new byte[] { 0x80, 2 }, Ascii("ctorch._utils\n_rebuild_tensor_v2\n"), new[] { (byte)'(', (byte)'(' }, BinUnicode("storage"),
            Ascii("ctorch\nFloatStorage\n"), BinUnicode("0"), BinUnicode("cpu"), new byte[] { (byte)'K', 12, (byte)'t', (byte)'Q', (byte)'K', 0 },
            new byte[] { (byte)'K', 12, 0x85, (byte)'K', 1, 0x85, 0x89 }, Ascii("ccollections\nOrderedDict\n"),
            new byte[] { (byte)')', (byte)'R', (byte)'t', (byte)'R', (byte)'.' });
        var path = Path.Combine(dir, "small.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var (entry, bytes) in new[] { ("a/data.pkl", pkl), ("a/data/0", new byte[8]) })
            {
                using var s = zip.CreateEntry(entry, CompressionLevel.NoCompression).Open();
                s.Write(bytes);
            }
        using var checkpoint = TorchCheckpoint.Load(path);
        var t = Assert.IsType<StoredTensor>(checkpoint.Root);
        var e = Assert.Throws<InvalidDataException>(() => t.Load());
        Assert.Contains("a/data/0 has 8 bytes, but its 12 float32 elements need 48", e.Message);
    }
}

/// <summary>The files reference/torch_checkpoints.py writes, once for <see cref="TorchCheckpointTests"/>, deleted after them.</summary>
public sealed class TorchReferenceFiles : IDisposable
{
    public TorchReferenceFiles()
    {
        Folder = Directory.CreateTempSubdirectory("us3l-torch-checkpoint-ref-").FullName;
        try
        {
            PythonReference.Run("torch_checkpoints.py", "write", Folder);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Folder { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
