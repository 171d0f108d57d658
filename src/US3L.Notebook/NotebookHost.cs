using System.Reflection;

namespace US3L.Notebook;

/// <summary>
/// The Jupyter kernel this process runs in, found at run time: the kit's own (US3L.Kernel) or
/// .NET Interactive. Library code shows outputs and reads the running cell's interrupt through it,
/// so one notebook runs in either kernel. Neither kernel is referenced at build time: each is
/// recognised by its assembly among the loaded ones and called by reflection, through the same
/// public members a cell would call (<c>display(value, mimeTypes)</c>, <c>handle.Update(value)</c>).
/// </summary>
public static class NotebookHost
{
    private static IKernelHost? _found;

    /// <summary>The kernel's name ("US3L" or ".NET Interactive"); null outside a notebook kernel.</summary>
    public static string? Name => Find()?.Name;

    /// <summary>
    /// Cancelled when the user interrupts the running cell; <see cref="CancellationToken.None"/>
    /// outside a kernel. Read it on the cell's own thread (.NET Interactive keeps it per cell).
    /// </summary>
    public static CancellationToken CancellationToken => Find()?.CellCancellation() ?? CancellationToken.None;

    /// <summary>
    /// Shows <paramref name="value"/> in the running cell's output (as <paramref name="mimeType"/>
    /// when given, e.g. "text/html" for a string of markup); the returned output can be replaced in place.
    /// </summary>
    public static DisplayedOutput Display(object value, string? mimeType = null)
    {
        var host = Find() ?? throw new InvalidOperationException(
            "Showing an output needs a notebook kernel (the kit's US3L kernel or .NET Interactive); none runs this process.");
        return new DisplayedOutput(host.Display(value, mimeType is null ? [] : [mimeType]));
    }

    /// <summary>The kernel among the loaded assemblies; looked up until one is found, then kept.</summary>
    private static IKernelHost? Find()
    {
        if (_found is not null) return _found;
        var loaded = AppDomain.CurrentDomain.GetAssemblies();
        IKernelHost? host = KitKernel.Find(loaded) ?? DotNetInteractive.Find(loaded);
        if (host is not null) Interlocked.CompareExchange(ref _found, host, null);
        return _found;
    }

    private static Assembly? Loaded(Assembly[] assemblies, string name) =>
        assemblies.FirstOrDefault(a => a.GetName().Name == name);

    private static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, parameters) ?? throw new MissingMethodException(type.FullName, name);

    /// <summary>Calls through reflection; an exception of the kernel's method surfaces as itself.</summary>
    internal static object? Call(MethodInfo method, object? target, object?[] args) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);

    private interface IKernelHost
    {
        string Name { get; }
        CancellationToken CellCancellation();
        /// <summary>Shows the value; returns the kernel's handle, which has <c>Update(object, ...)</c>.</summary>
        object Display(object value, string[] mimeTypes);
    }

    /// <summary>
    /// The kit's kernel: <c>US3L.Kernel.KernelContext</c> (the cell's token, and whether a kernel
    /// hosts the process) and <c>US3L.Kernel.Display.DisplayExtensions.Display</c>.
    /// </summary>
    private sealed class KitKernel(PropertyInfo token, MethodInfo display) : IKernelHost
    {
        public static IKernelHost? Find(Assembly[] loaded)
        {
            var assembly = Loaded(loaded, "US3L.Kernel");
            var context = assembly?.GetType("US3L.Kernel.KernelContext");
            if (context?.GetProperty("IsRunningInKernel")?.GetValue(null) is not true) return null;
            var extensions = assembly!.GetType("US3L.Kernel.Display.DisplayExtensions", throwOnError: true)!;
            return new KitKernel(context.GetProperty("CancellationToken")!, Method(extensions, "Display", typeof(object), typeof(string[])));
        }

        public string Name => "US3L";
        public CancellationToken CellCancellation() => (CancellationToken)token.GetValue(null)!;
        public object Display(object value, string[] mimeTypes) => Call(display, null, [value, mimeTypes])!;
    }

    /// <summary>
    /// .NET Interactive: <c>Microsoft.DotNet.Interactive.Kernel.display</c> (what its cells call)
    /// and the token of <c>KernelInvocationContext.Current</c>, the command the cell runs in.
    /// </summary>
    private sealed class DotNetInteractive(PropertyInfo current, PropertyInfo token, MethodInfo display) : IKernelHost
    {
        public static IKernelHost? Find(Assembly[] loaded)
        {
            var assembly = Loaded(loaded, "Microsoft.DotNet.Interactive");
            var kernel = assembly?.GetType("Microsoft.DotNet.Interactive.Kernel");
            var context = assembly?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext");
            if (kernel is null || context is null) return null;
            return new DotNetInteractive(context.GetProperty("Current")!, context.GetProperty("CancellationToken")!,
                Method(kernel, "display", typeof(object), typeof(string[])));
        }

        public string Name => ".NET Interactive";

        public CancellationToken CellCancellation() =>
            current.GetValue(null) is { } invocation ? (CancellationToken)token.GetValue(invocation)! : CancellationToken.None;

        public object Display(object value, string[] mimeTypes) => Call(display, null, [value, mimeTypes])!;
    }
}

/// <summary>An output shown by <see cref="NotebookHost.Display"/>; <see cref="Update"/> replaces it in place.</summary>
public sealed class DisplayedOutput
{
    private readonly object _handle;
    private readonly MethodInfo _update;

    internal DisplayedOutput(object handle)
    {
        _handle = handle;
        // The kit's DisplayHandle.Update(object, params string[]); .NET Interactive's DisplayedValue.Update(object).
        _update = handle.GetType().GetMethods().Single(m => m.Name == "Update" && m.GetParameters() is [var first, ..] && first.ParameterType == typeof(object));
    }

    /// <summary>Replaces the shown output with <paramref name="value"/>.</summary>
    public void Update(object value)
    {
        var parameters = _update.GetParameters();
        var args = new object?[parameters.Length];
        args[0] = value;
        for (int i = 1; i < args.Length; i++)
            args[i] = parameters[i].ParameterType == typeof(string[]) ? Array.Empty<string>() : parameters[i].DefaultValue;
        NotebookHost.Call(_update, _handle, args);
    }
}
