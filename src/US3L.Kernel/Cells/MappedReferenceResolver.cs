using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace US3L.Kernel.Cells;

/// <summary>
/// The script resolver (<c>#r</c> paths and names) with a cheaper way to the assemblies that the
/// referenced assemblies depend on. The first compilation binds about ninety of those (the
/// framework assemblies behind netstandard, the kernel and Roslyn); Roslyn's resolver finds them
/// in the trusted platform list and reads every file whole into memory, tens of megabytes of
/// ReadyToRun images and about 150 ms of the kernel's start. Here a trusted platform assembly is
/// opened as a memory-mapped file, so only the metadata the compiler reads is paged in. It is
/// resolved as Roslyn resolves it (same file, same <c>&lt;implicit&gt;</c> alias, so its types
/// are reachable through the referencing assemblies only); anything else goes to the script
/// resolver unchanged.
/// </summary>
internal sealed class MappedReferenceResolver(ScriptMetadataResolver scripts) : MetadataReferenceResolver, IEquatable<MappedReferenceResolver>
{
    private static readonly ImmutableArray<string> ImplicitAlias = ["<implicit>"];
    private static readonly Lazy<Dictionary<string, string>> PlatformAssemblies = new(ReadPlatformAssemblies);
    private readonly ConcurrentDictionary<string, PortableExecutableReference> _mapped = new(StringComparer.Ordinal);

    public ScriptMetadataResolver Scripts => scripts;

    public override bool ResolveMissingAssemblies => scripts.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity)
    {
        if (PlatformAssemblies.Value.TryGetValue(referenceIdentity.Name, out string? path) && File.Exists(path))
            return _mapped.GetOrAdd(path, p => AssemblyMetadata.CreateFromFile(p).GetReference(aliases: ImplicitAlias, filePath: p));
        return scripts.ResolveMissingAssembly(definition, referenceIdentity);
    }

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        scripts.ResolveReference(reference, baseFilePath, properties);

    /// <summary>Simple name to path, as the runtime's host lists them (the last of a name wins, as in Roslyn).</summary>
    private static Dictionary<string, string> ReadPlatformAssemblies()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Path.GetExtension(path) == ".dll") byName[Path.GetFileNameWithoutExtension(path)] = path;
        }
        return byName;
    }

    public bool Equals(MappedReferenceResolver? other) => other is not null && scripts.Equals(other.Scripts);

    public override bool Equals(object? other) => Equals(other as MappedReferenceResolver);

    public override int GetHashCode() => scripts.GetHashCode();
}
