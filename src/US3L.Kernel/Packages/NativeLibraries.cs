using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace US3L.Kernel.Packages;

/// <summary>
/// Native libraries of restored packages (runtimes/&lt;rid&gt;/native/libfoo.so). A package's
/// <c>[DllImport("foo")]</c> would only search the application folder; every assembly loaded
/// from a package folder after a restore gets a resolver that maps "foo", "libfoo" and
/// "libfoo.so" to the package's file.
/// </summary>
internal sealed class NativeLibraries
{
    private readonly ConcurrentDictionary<string, string> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _packageFolders = new(StringComparer.Ordinal);
    private int _hooked;

    /// <summary>Assemblies loaded from under this folder (a NuGet packages folder) get the resolver.</summary>
    public void AddPackageFolder(string folder) => _packageFolders.TryAdd(folder, true);

    public void Add(string path)
    {
        string file = Path.GetFileName(path);
        string stem = file;
        foreach (string suffix in new[] { ".so", ".dylib", ".dll" })
            if (stem.EndsWith(suffix, StringComparison.Ordinal)) stem = stem[..^suffix.Length];
        foreach (string name in new[] { file, stem, stem.StartsWith("lib", StringComparison.Ordinal) ? stem[3..] : "lib" + stem })
            _byName.TryAdd(name, path);
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Attach(e.LoadedAssembly);
    }

    /// <summary>The file a DllImport name stands for, or null when no package brought it.</summary>
    public string? Find(string name)
    {
        if (_byName.TryGetValue(name, out string? path)) return path;
        string stem = Path.GetFileNameWithoutExtension(name);
        return _byName.TryGetValue(stem, out path) ? path : null;
    }

    private void Attach(Assembly assembly)
    {
        if (assembly.IsDynamic || !_packageFolders.Keys.Any(f => assembly.Location.StartsWith(f, StringComparison.Ordinal))) return;
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => Find(name) is { } path ? NativeLibrary.Load(path) : 0);
        }
        catch (InvalidOperationException)
        {
            // The assembly set a resolver of its own; it knows where its libraries are.
        }
    }
}
