using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench kernel`: the C# kernel's start-up and per-cell latency through jupyter_client
/// (Bench/kernel_bench.py under Debian's python), side by side with Debian's ipykernel for scale.
/// Our kernel runs from this CLI's own output, installed as a kernelspec in a private folder.
/// </summary>
internal static class KernelBench
{
    private const string Python = "/usr/bin/python3";
    private const string OurKernel = "us3l-csharp";
    private const string IpyKernel = "python3";

    public static Command Create()
    {
        var starts = new Option<int>("--starts") { Description = "Kernel starts per kernel (ready and first-cell times are their median)", DefaultValueFactory = _ => 3 };
        var cells = new Option<int>("--cells") { Description = "Trivial cells for the steady per-cell median", DefaultValueFactory = _ => 20 };
        var noIpykernel = new Option<bool>("--no-ipykernel") { Description = "Skip the ipykernel comparison" };
        var command = new Command("kernel", "C# kernel: ready time, first cell and steady per-cell latency, ours vs ipykernel") { starts, cells, noIpykernel };
        command.SetAction(parse =>
        {
            int s = parse.GetValue(starts), c = parse.GetValue(cells);
            if (s <= 0) throw new ArgumentException($"--starts must be a positive integer, got {s}.");
            if (c <= 0) throw new ArgumentException($"--cells must be a positive integer, got {c}.");
            Run(s, c, !parse.GetValue(noIpykernel), Console.Out);
        });
        return command;
    }

    public static void Run(int starts, int cells, bool withIpykernel, TextWriter output)
    {
        if (!File.Exists(Python)) throw new FileNotFoundException($"bench kernel needs Debian's python at {Python} with python3-jupyter-client; run ./build.sh setup.");
        string script = Path.Combine(AppContext.BaseDirectory, "Bench", "kernel_bench.py");
        string kernelDll = Path.Combine(AppContext.BaseDirectory, "US3L.Kernel.dll");
        if (!File.Exists(kernelDll)) throw new FileNotFoundException($"Expected US3L.Kernel.dll next to the CLI in {AppContext.BaseDirectory}; rebuild with ./build.sh build.");
        string jupyter = Directory.CreateTempSubdirectory("us3l-bench-kernel-").FullName;
        try
        {
            RunProcess("dotnet", [kernelDll, "--install", jupyter], jupyter, "installing the kernelspec");
            output.WriteLine(Measure(script, OurKernel, starts, cells, jupyter));
            if (withIpykernel)
            {
                if (HasIpykernel()) output.WriteLine(Measure(script, IpyKernel, starts, cells, jupyter));
                else output.WriteLine(new JsonObject { ["bench"] = "kernel", ["kernel"] = IpyKernel, ["skipped"] = "ipykernel is not installed (apt-get install python3-ipykernel)" }.ToJsonString());
            }
        }
        finally
        {
            Directory.Delete(jupyter, recursive: true);
        }
    }

    private static string Measure(string script, string kernel, int starts, int cells, string jupyter)
    {
        string stdout = RunProcess(Python, [script, "--kernel", kernel, "--starts", starts.ToString(), "--cells", cells.ToString()], jupyter, $"the {kernel} benchmark");
        string line = stdout.Trim().Split('\n').Last();
        JsonNode.Parse(line);  // one JSON line, or the failure names the script
        return line;
    }

    private static bool HasIpykernel()
    {
        using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import ipykernel"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static string RunProcess(string file, IEnumerable<string> arguments, string jupyter, string what)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Our kernelspec first; Debian's python3 kernelspec stays visible from the system folders.
        start.Environment["JUPYTER_PATH"] = jupyter;
        start.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(jupyter, "runtime");
        start.Environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string last = stderr.Result.Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? $"exit code {process.ExitCode}";
            throw new InvalidOperationException($"{what} failed: {last.Trim()}");
        }
        return stdout;
    }
}
