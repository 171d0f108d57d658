using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Cli.Notebooks;

/// <summary>What <c>us3l notebook run</c> was asked to do.</summary>
internal sealed record NotebookRunOptions(
    string Notebook,
    IReadOnlyList<(string Name, string Value)> Parameters,
    string? Output = null,
    string? Html = null,
    int? TimeoutSeconds = null,
    string Kernel = NotebookRunner.DefaultKernel,
    bool StaticFigures = false);

/// <summary>A cell that raised or timed out: the message names the cell and carries the kernel's traceback.</summary>
internal sealed class NotebookCellException(string message) : Exception(message);

/// <summary>
/// Runs a notebook on the C# kernel through Jupyter's own client: injects the parameters here,
/// then hands the notebook to <c>Notebooks/run_notebook.py</c> (nbclient, nbconvert) under
/// Debian's python. The kernel's working directory is the notebook's folder, so relative
/// <c>#r</c> paths resolve as they do in an editor. With static figures, the driver writes the
/// executed notebook into a work folder; <see cref="StaticFigures"/> draws its figures as images and
/// <c>Notebooks/write_notebook.py</c> validates the result and writes the output and the HTML page.
/// </summary>
internal static class NotebookRunner
{
    public const string DefaultKernel = "us3l-csharp";
    private const string Python = "/usr/bin/python3";

    /// <summary>Runs the notebook; returns normally only when every cell succeeded.</summary>
    public static void Run(NotebookRunOptions options, TextWriter log)
    {
        string notebook = Path.GetFullPath(options.Notebook);
        if (!File.Exists(notebook)) throw new FileNotFoundException($"No notebook at {notebook}.");
        if (options.TimeoutSeconds is <= 0) throw new ArgumentException($"--timeout must be a positive number of seconds, got {options.TimeoutSeconds}.");
        if (options.StaticFigures && options.Output is null && options.Html is null)
            throw new ArgumentException("--static-figures changes the notebook that is written: give --output or --html too.");
        var prepared = NotebookParameters.Inject(Load(notebook), options.Parameters);

        string work = Directory.CreateTempSubdirectory("us3l-notebook-").FullName;
        try
        {
            string input = Path.Combine(work, Path.GetFileName(notebook));
            File.WriteAllText(input, prepared.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            string errorJson = Path.Combine(work, "error.json");
            string executed = Path.Combine(work, "executed.ipynb");
            var args = new List<string>
            {
                Driver, input, "--cwd", Path.GetDirectoryName(notebook)!, "--kernel", options.Kernel,
                "--kernel-dll", KernelDll, "--error-json", errorJson,
            };
            if (options.StaticFigures) args.AddRange(["--output", executed]);
            else
            {
                if (options.Output is { } output) args.AddRange(["--output", OutputPath(output)]);
                if (options.Html is { } html) args.AddRange(["--html", OutputPath(html)]);
            }
            if (options.TimeoutSeconds is { } timeout) args.AddRange(["--timeout", timeout.ToString(CultureInfo.InvariantCulture)]);

            var clock = Stopwatch.StartNew();
            int code = RunPython(args, log);
            double ran = clock.Elapsed.TotalSeconds;
            // Also after a failing cell: the figures drawn before it are in the written notebook.
            if (options.StaticFigures && File.Exists(executed) && (code == 0 || code == 1 && File.Exists(errorJson)))
                WriteWithStaticFigures(executed, options, log);
            switch (code)
            {
                case 0:
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(notebook)}: ran in {ran:0.0} s"));
                    if (options.Output is not null) log.WriteLine($"wrote {OutputPath(options.Output)}");
                    if (options.Html is not null) log.WriteLine($"wrote {OutputPath(options.Html)}");
                    return;
                case 1 when File.Exists(errorJson):
                    throw new NotebookCellException(DescribeFailure(notebook, errorJson, options.Output));
                default:
                    throw new InvalidOperationException($"the notebook runner ({Path.GetFileName(Driver)}) failed with exit code {code}; see the messages above.");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static JsonObject Load(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path} is not a notebook (expected a JSON object).");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new InvalidDataException($"{path} is not a notebook (invalid JSON{where}).", e);
        }
    }

    /// <summary>Output paths are relative to the current directory; their folder is created.</summary>
    private static string OutputPath(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>Draws the figures of the executed notebook as PNG images, then has python validate and write it.</summary>
    private static void WriteWithStaticFigures(string executed, NotebookRunOptions options, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var notebook = Load(executed);
        var report = StaticFigures.ApplyAsync(notebook).GetAwaiter().GetResult();
        string changed = Path.Combine(Path.GetDirectoryName(executed)!, "static-figures.ipynb");
        File.WriteAllText(changed, notebook.ToJsonString());
        var args = new List<string> { Writer, changed };
        if (options.Output is { } output) args.AddRange(["--output", OutputPath(output)]);
        if (options.Html is { } html) args.AddRange(["--html", OutputPath(html)]);
        int code = RunPython(args, log);
        if (code != 0)
            throw new InvalidOperationException($"writing the notebook with static figures ({Path.GetFileName(Writer)}) failed with exit code {code}; see the messages above.");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"static figures: {report.Figures} figures drawn as PNG in {report.Elapsed.TotalSeconds:0.0} s, " +
            $"{report.ScriptOutputsDropped} outputs that only carried plotly.js dropped; {clock.Elapsed.TotalSeconds:0.0} s with writing"));
    }

    private static string Driver => Beside(Path.Combine("Notebooks", "run_notebook.py"));

    private static string Writer => Beside(Path.Combine("Notebooks", "write_notebook.py"));

    /// <summary>The kernel built next to the CLI; installed privately when no kernelspec is installed.</summary>
    private static string KernelDll => Beside("US3L.Kernel.dll");

    private static string Beside(string relative)
    {
        string path = Path.Combine(AppContext.BaseDirectory, relative);
        if (!File.Exists(path)) throw new FileNotFoundException($"Expected {relative} next to the CLI in {AppContext.BaseDirectory}; rebuild with ./build.sh build.");
        return path;
    }

    private static int RunPython(IReadOnlyList<string> args, TextWriter log)
    {
        if (!File.Exists(Python)) throw new FileNotFoundException($"Running notebooks needs Debian's python at {Python} with python3-nbclient; run ./build.sh setup.");
        var start = new ProcessStartInfo(Python, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // Progress lines pass through as they come; python's own buffering is off for that.
        start.Environment["PYTHONUNBUFFERED"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string DescribeFailure(string notebook, string errorJson, string? output)
    {
        var error = JsonNode.Parse(File.ReadAllText(errorJson))!;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(notebook)}: cell {error["cell"]} of {error["cells"]} failed: {error["ename"]}: {error["evalue"]}");
        string source = error["source"]?.GetValue<string>() ?? "";
        string firstLine = source.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        if (firstLine.Length > 0) text.Append("\n  cell begins: ").Append(firstLine);
        if (error["traceback"] is JsonArray traceback && traceback.Count > 0)
        {
            text.Append("\n  traceback:");
            foreach (var line in traceback)
                foreach (var part in (line?.GetValue<string>() ?? "").Split('\n'))
                    text.Append("\n    ").Append(part);
        }
        if (output is not null) text.Append("\n  the executed notebook (with this error) is in ").Append(OutputPath(output));
        return text.ToString();
    }
}
