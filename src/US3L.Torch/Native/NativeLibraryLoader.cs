using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>
/// Finds the native shim. <c>US3L_NATIVE_LIB</c> (a file) wins, so a CUDA build of the shim can be
/// swapped in without rebuilding .NET code; otherwise the copy in the application's folder or next to
/// this assembly is used.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "us3l_torch";

#pragma warning disable CA2255 // A module initializer is the documented place for a DllImport resolver.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        var overridePath = Environment.GetEnvironmentVariable("US3L_NATIVE_LIB");
        if (!string.IsNullOrEmpty(overridePath))
        {
            if (!File.Exists(overridePath))
                throw new DllNotFoundException($"US3L_NATIVE_LIB points to '{overridePath}', which does not exist.");
            return NativeLibrary.Load(overridePath);
        }
        // The application's folder first, then this assembly's own: a host such as the Jupyter
        // kernel loads US3L.Torch with #r from the build output, far from its own folder.
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location) }
            .Where(d => !string.IsNullOrEmpty(d)).Distinct().ToList();
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder!, "lib" + LibraryName + ".so");
            if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
        }
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
        throw new DllNotFoundException(
            $"The native shim lib{LibraryName}.so was not found in {string.Join(" or ", folders)}. " +
            "Run './build.sh build' from the repository root, or set US3L_NATIVE_LIB to its path.");
    }
}
