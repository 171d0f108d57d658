using System.Text;
using System.Text.Json;
using US3L.Torch.Serialization;

namespace US3L.Torch.Tests;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("us3l-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static readonly (string Code, ScalarType Type, double[] Values)[] Reference =
    {
        ("F32", ScalarType.Float32, new[] { 0, 1, -2, 3.5, 4.25, -5.5 }),
        ("F64", ScalarType.Float64, new[] { 0, 1, -2, 3.5, 4.25, -5.5 }),
        ("F16", ScalarType.Float16, new[] { 0, 1, -2, 3.5, 4.25, -5.5 }),
        ("BF16", ScalarType.BFloat16, new[] { 0, 1, -2, 3.5, 4.25, -5.5 }),
        ("I64", ScalarType.Int64, new double[] { 0, 1, -2, 3, 100, -120 }),
        ("I32", ScalarType.Int32, new double[] { 0, 1, -2, 3, 100, -120 }),
        ("I16", ScalarType.Int16, new double[] { 0, 1, -2, 3, 100, -120 }),
        ("I8", ScalarType.Int8, new double[] { 0, 1, -2, 3, 100, -120 }),
        ("U8", ScalarType.UInt8, new double[] { 0, 1, 2, 3, 200, 255 }),
        ("BOOL", ScalarType.Bool, new double[] { 1, 0, 1, 1, 0, 0 }),
    };

    /// <summary>The same tensors as safetensors_io.py writes.</summary>
    private static OrderedDictionary<string, Tensor> ReferenceTensors()
    {
        var d = new OrderedDictionary<string, Tensor>();
        foreach (var (code, type, values) in Reference)
            d.Add("t_" + code.ToLowerInvariant(), torch.tensor(values, 2, 3).to(type));
        d.Add("empty", torch.zeros(0));
        d.Add("scalar", torch.scalar_tensor(7, torch.float64));
        return d;
    }

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).reshape(-1).ToArray<double>();

    private static void AssertSame(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal(e.dtype, a.dtype);
            Assert.Equal(e.shape, a.shape);
            Assert.Equal(Values(e), Values(a));
        }
    }

    [Fact]
    public void RoundTripsEveryDtypeShapeAndMetadata()
    {
        using var scope = torch.NewDisposeScope();
        var tensors = ReferenceTensors();
        // A non-contiguous view is saved as its contiguous values.
        tensors.Add("strided", torch.arange(0, 12, 1, torch.float32).view(3, 4).narrow(1, 1, 2));
        var path = Path.Combine(dir, "all.safetensors");
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ünïcode" });
        var (loaded, metadata) = Safetensors.Load(path);
        AssertSame(tensors, loaded);
        Assert.Equal(new[] { 1f, 2, 5, 6, 9, 10 }, loaded["strided"].ToArray<float>());
        Assert.Equal("3", metadata["epoch"]);
        Assert.Equal("ünïcode", metadata["note"]);

        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void SaveReplacesAnExistingFileAndLeavesNoTemporaries()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "ckpt.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["a"] = torch.ones(3) });
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["b"] = torch.zeros(2) });
        Assert.Equal(new[] { "b" }, Safetensors.Load(path).tensors.Keys);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir));
    }

    [Fact]
    public void PythonReadsWhatWeWriteAndWeReadWhatPythonWrites()
    {
        using var scope = torch.NewDisposeScope();
        var ours = Path.Combine(dir, "csharp.safetensors");
        Safetensors.Save(ours, ReferenceTensors(), new Dictionary<string, string> { ["writer"] = "csharp" });
        using var doc = JsonDocument.Parse(PythonReference.Run("safetensors_io.py", "read", ours));
        Assert.Equal("csharp", doc.RootElement.GetProperty("metadata").GetProperty("writer").GetString());
        foreach (var (name, t) in ReferenceTensors())
        {
            var e = doc.RootElement.GetProperty("tensors").GetProperty(name);
            Assert.Equal(t.shape, e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()));
            Assert.Equal(Values(t), e.GetProperty("values").EnumerateArray().Select(x => x.GetDouble()));
        }

        var theirs = Path.Combine(dir, "python.safetensors");
        PythonReference.Run("safetensors_io.py", "write", theirs);
        var (loaded, metadata) = Safetensors.Load(theirs);
        AssertSame(ReferenceTensors(), loaded);
        Assert.Equal("python", metadata["writer"]);
    }

    // ---- corrupt files ----------------------------------------------------------------------

    private string Raw(string header, int dataBytes, int? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var path = Path.Combine(dir, "bad.safetensors");
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)(declaredLength ?? json.Length)));
        f.Write(json);
        f.Write(new byte[dataBytes]);
        return path;
    }

    private static void AssertBad(string path, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void TruncatedFilesAreReported()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "t.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(4, 4) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        AssertBad(path, "runs past the end of the data section");
        File.WriteAllBytes(path, bytes[..20]);
        AssertBad(path, "runs past the end of the file");
        File.WriteAllBytes(path, bytes[..5]);
        AssertBad(path, "fewer than the 8-byte header length");
    }

    [Fact]
    public void MalformedHeadersAreReported()
    {
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", ", 0), "not valid UTF-8 JSON");
        AssertBad(Raw("[1, 2]", 0), "not a JSON object");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1), "unsupported dtype 'F8'");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "needs 12 bytes");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4), "runs past the end of the data section");
        AssertBad(Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
            "overlaps");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "gap of 4 bytes");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 8), "the tensors use 4");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4), "negative size");
        AssertBad(Raw("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "no 'data_offsets' array");
        AssertBad(Raw("{\"__metadata__\": {\"a\": 1}}", 0), "metadata value 'a' is not a string");
        AssertBad(Raw("{}", 0, declaredLength: int.MaxValue), "exceeds");
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(Path.Combine(dir, "missing.safetensors")));
    }

    [Fact]
    public void ReadHeaderListsTensorsWithoutLoadingThem()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "h.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(2, 5), ["n"] = torch.zeros(new long[] { 1 }, torch.int64) },
            new Dictionary<string, string> { ["k"] = "v" });
        var (tensors, metadata) = Safetensors.ReadHeader(path);
        Assert.Equal(new[] { ("w", ScalarType.Float32), ("n", ScalarType.Int64) }, tensors.Select(t => (t.name, t.dtype)));
        Assert.Equal(new long[] { 2, 5 }, tensors[0].shape);
        Assert.Equal("v", metadata["k"]);
    }
}
