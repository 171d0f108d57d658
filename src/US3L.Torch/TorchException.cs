namespace US3L.Torch;

/// <summary>
/// A libtorch error surfaced in .NET. The message names the op and the shapes of its inputs,
/// followed by libtorch's own explanation, e.g.
/// <c>conv2d([2, 3, 8, 8] float32 cpu, [4, 5, 3, 3] float32 cpu): expected input ... to have 5 channels</c>.
/// </summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
