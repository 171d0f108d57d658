using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace US3L.Torch.Tests;

/// <summary>
/// Runs reference/functional_parity.py (or, in a derived fixture, another script writing the same
/// format) once per test class (with Debian's PyTorch on the same libtorch) in a temporary folder and
/// loads what it wrote: a JSON index (parity.json) and raw little-endian arrays (parity.bin). When
/// the reference cannot run, <see cref="Data"/> throws a message saying how to install it, so every
/// parity test fails rather than passing silently.
/// </summary>
public class PyTorchParityFixture : IDisposable
{
    public const string Python = "/usr/bin/python3";
    private readonly string scriptName;

    private readonly string folder = Directory.CreateTempSubdirectory("us3l-parity-").FullName;
    private readonly ParityData? data;
    private readonly string? error;

    public PyTorchParityFixture() : this("functional_parity.py") { }

    protected PyTorchParityFixture(string script)
    {
        scriptName = script;
        try
        {
            data = Generate();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or JsonException or System.ComponentModel.Win32Exception)
        {
            error = e.Message;
        }
    }

    public ParityData Data => data ?? throw new InvalidOperationException(error);

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private ParityData Generate()
    {
        if (ReferenceProblem(Python) is { } problem) throw new InvalidOperationException(problem);
        var script = Path.Combine(AppContext.BaseDirectory, "reference", scriptName);
        if (!File.Exists(script)) throw new InvalidOperationException($"The reference script {script} is missing from the test output.");
        var (code, _, stderr) = RunPython(Python, $"\"{script}\" \"{folder}\"");
        if (code != 0) throw new InvalidOperationException($"{scriptName} failed with exit code {code}:\n{stderr}");
        return ParityData.Load(folder);
    }

    /// <summary>Why <paramref name="python"/> cannot serve as the reference, with the fix; null when it can.</summary>
    internal static string? ReferenceProblem(string python)
    {
        const string fix = "Run ./build.sh setup (installs python3-torch).";
        if (!File.Exists(python)) return $"The PyTorch reference needs {python} with torch, but {python} is missing. {fix}";
        var (code, _, stderr) = RunPython(python, "-c \"import torch\"");
        return code == 0 ? null : $"The PyTorch reference needs torch, but {python} cannot import it: {stderr.Trim()}\n{fix}";
    }

    private static (int Code, string Stdout, string Stderr) RunPython(string python, string arguments)
    {
        var start = new ProcessStartInfo(python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // One thread keeps the reference deterministic and leaves the cores to the test run.
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>The reference file: every case, and the raw arrays its entries point into.</summary>
public sealed class ParityData
{
    private readonly byte[] blob;

    private ParityData(byte[] blob, IReadOnlyList<ParityCase> cases)
    {
        this.blob = blob;
        Cases = cases;
    }

    public IReadOnlyList<ParityCase> Cases { get; }

    public static ParityData Load(string folder)
    {
        var blob = File.ReadAllBytes(Path.Combine(folder, "parity.bin"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "parity.json")));
        var data = new ParityData(blob, new List<ParityCase>());
        var cases = (List<ParityCase>)data.Cases;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            cases.Add(new ParityCase(data, c.Clone()));
        return data;
    }

    /// <summary>A new CPU tensor holding the array an index entry points to.</summary>
    internal Tensor Read(JsonElement entry)
    {
        var shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var offset = entry.GetProperty("offset").GetInt32();
        var dtype = entry.GetProperty("dtype").GetString();
        return dtype switch
        {
            "float64" => torch.tensor<double>(MemoryMarshal.Cast<byte, double>(blob.AsSpan(offset, count * 8)), shape),
            "float32" => torch.tensor<float>(MemoryMarshal.Cast<byte, float>(blob.AsSpan(offset, count * 4)), shape),
            "int64" => torch.tensor<long>(MemoryMarshal.Cast<byte, long>(blob.AsSpan(offset, count * 8)), shape),
            _ => throw new InvalidDataException($"unsupported dtype {dtype} in parity.json"),
        };
    }
}

/// <summary>One reference case: its op, keyword arguments, inputs and expected results.</summary>
public sealed class ParityCase
{
    private readonly ParityData data;
    private readonly JsonElement json;

    internal ParityCase(ParityData data, JsonElement json)
    {
        this.data = data;
        this.json = json;
    }

    public string Name => json.GetProperty("name").GetString()!;
    public string Op => json.GetProperty("op").GetString()!;
    public JsonElement Kwargs => json.GetProperty("kwargs");
    public IReadOnlyList<string> RequiresGrad => json.GetProperty("requires_grad").EnumerateArray().Select(e => e.GetString()!).ToList();

    public Dictionary<string, Tensor> ReadInputs() => ReadAll("inputs");
    public Tensor ReadOutput() => data.Read(json.GetProperty("output"));
    public Tensor ReadGradOutput() => data.Read(json.GetProperty("grad_output"));
    public Dictionary<string, Tensor> ReadGrads() => ReadAll("grads");
    public Dictionary<string, Tensor> ReadAfter() => ReadAll("after");

    private Dictionary<string, Tensor> ReadAll(string key) =>
        json.GetProperty(key).EnumerateObject().ToDictionary(p => p.Name, p => data.Read(p.Value));

    public override string ToString() => Name;
}

/// <summary>The arguments of one call: input tensors by name and typed access to the keyword arguments.</summary>
public sealed class ParityCall(Dictionary<string, Tensor> inputs, JsonElement kwargs)
{
    public Tensor this[string name] => inputs.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"the case has no input '{name}'");
    public Tensor? Opt(string name) => inputs.GetValueOrDefault(name);

    private JsonElement? Get(string name) =>
        kwargs.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public bool IsString(string name) => Get(name)?.ValueKind == JsonValueKind.String;
    public string Str(string name, string fallback) => Get(name)?.GetString() ?? fallback;
    public long Long(string name, long fallback) => Get(name)?.GetInt64() ?? fallback;
    public long? OptLong(string name) => Get(name)?.GetInt64();
    public double Double(string name, double fallback) => Get(name)?.GetDouble() ?? fallback;
    public bool Bool(string name, bool fallback) => Get(name)?.GetBoolean() ?? fallback;
    public bool? OptBool(string name) => Get(name)?.GetBoolean();
    public long[] Longs(string name) => Get(name)!.Value.EnumerateArray().Select(e => e.GetInt64()).ToArray();
    public bool IsArray(string name) => Get(name)?.ValueKind == JsonValueKind.Array;

    /// <summary>An int or [h, w] argument.</summary>
    public IntPair? Pair(string name) => Get(name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Array ? new IntPair(v[0].GetInt64(), v[1].GetInt64()) : v.GetInt64();

    /// <summary>A float or [h, w] argument.</summary>
    public DoublePair? Doubles(string name) => Get(name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Array ? new DoublePair(v[0].GetDouble(), v[1].GetDouble()) : v.GetDouble();
}
