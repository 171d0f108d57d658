namespace US3L.Torch.Serialization;

/// <summary>
/// A pickle asked for something the restricted unpickler does not allow (a global outside the
/// allowlist, such as <c>os.system</c> or <c>builtins.eval</c>, or an opcode that builds arbitrary
/// objects). It is raised when the global is named, before any call: nothing is executed.
/// </summary>
public sealed class UnsafePickleException : Exception
{
    public UnsafePickleException(string global, string message) : base(message) => Global = global;

    /// <summary>The refused global as module.name (or the opcode's name).</summary>
    public string Global { get; }
}
