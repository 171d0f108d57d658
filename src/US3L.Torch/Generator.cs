using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>
/// An independent CPU random stream, as <c>torch.Generator</c>. The same seed gives the same
/// numbers; <see cref="get_state"/>/<see cref="set_state"/> save and restore it exactly.
/// </summary>
public sealed class Generator : IDisposable
{
    internal IntPtr Ptr { get; private set; }

    public Generator(long seed = 67280421310721)
    {
        Ptr = NativeMethods.us3l_generator_new(unchecked((ulong)seed));
        if (Ptr == IntPtr.Zero) throw new TorchException(NativeMethods.LastError());
    }

    internal IntPtr Raw => Ptr != IntPtr.Zero ? Ptr : throw new ObjectDisposedException(nameof(Generator));

    public Generator manual_seed(long seed)
    {
        NativeMethods.Check(NativeMethods.us3l_generator_manual_seed(Raw, unchecked((ulong)seed)));
        return this;
    }

    public long initial_seed() => unchecked((long)NativeMethods.us3l_generator_initial_seed(Raw));

    public Tensor get_state() => NativeMethods.Wrap(NativeMethods.us3l_generator_get_state(Raw));

    public void set_state(Tensor state) => NativeMethods.Check(NativeMethods.us3l_generator_set_state(Raw, state.Handle));

    public void Dispose()
    {
        if (Ptr == IntPtr.Zero) return;
        NativeMethods.us3l_generator_free(Ptr);
        Ptr = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~Generator()
    {
        if (Ptr != IntPtr.Zero) NativeMethods.us3l_generator_free(Ptr);
    }
}
