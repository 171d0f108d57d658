using US3L.Kernel;
using US3L.Kernel.Cells;
using US3L.Kernel.Protocol;

const string Usage = """
    C# (US3L) Jupyter kernel
      US3L.Kernel -f <connection_file>    run the kernel (Jupyter starts it this way)
      US3L.Kernel --install [<data_dir>]  write the kernelspec us3l-csharp into <data_dir>/kernels
                                          (default: jupyter --data-dir), and .net-csharp too
                                          unless another kernel is installed under that name
    """;

if (args.Length >= 2 && args[0] == "-f")
{
    // Roslyn's warm-up starts before anything else, so it runs while the connection file is read,
    // the sockets bind and the frontend connects (see Cells/Warmup.cs).
    var cells = new CellHost(Environment.CurrentDirectory);
    ConnectionInfo connection;
    try
    {
        connection = ConnectionInfo.Load(args[1]);
    }
    catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot read connection file {args[1]}: {e.Message}");
        return 2;
    }
    using var kernel = new JupyterKernel(connection, cells);
    return kernel.Run();
}
if (args.Length >= 1 && args[0] == "--install")
{
    foreach (var outcome in KernelSpecInstaller.Install(args.Length > 1 ? args[1] : null))
        Console.WriteLine(outcome);
    return 0;
}
Console.Error.WriteLine(Usage);
return 2;
