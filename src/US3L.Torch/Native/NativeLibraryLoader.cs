using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>
/// Finds the native shim. <c>US3L_NATIVE_LIB</c> (a file) wins, so a CUDA build of the shim can be
/// swapped in without rebuilding .NET code; otherwise the copy next to the assembly is used.
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
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "lib" + LibraryName + ".so");
        if (File.Exists(besideAssembly)) return NativeLibrary.Load(besideAssembly);
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle)) return handle;
        throw new DllNotFoundException(
            $"The native shim lib{LibraryName}.so was not found next to {AppContext.BaseDirectory}. " +
            "Run './build.sh build' from the repository root, or set US3L_NATIVE_LIB to its path.");
    }
}
