namespace US3L.Torch;

/// <summary>Device kinds; the values are libtorch's c10::DeviceType codes.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A device such as <c>cpu</c> or <c>cuda:0</c>. Index -1 means "the current one".</summary>
public sealed record Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>Parses "cpu", "cuda", "cuda:1".</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        var colon = s.IndexOf(':');
        var kind = colon < 0 ? s : s[..colon];
        var index = -1;
        if (colon >= 0 && !int.TryParse(s[(colon + 1)..], out index))
            throw new ArgumentException($"Bad device index in '{text}'. Expected e.g. 'cuda:0'.");
        return kind switch
        {
            "cpu" => CPU,
            "cuda" => new Device(DeviceType.CUDA, index < 0 ? 0 : index),
            _ => throw new ArgumentException($"Unknown device '{text}'. Expected 'cpu', 'cuda' or 'cuda:N'."),
        };
    }

    public static implicit operator Device(string text) => Parse(text);

    public override string ToString() => Type switch
    {
        DeviceType.CPU => "cpu",
        _ => Index < 0 ? Type.ToString().ToLowerInvariant() : $"{Type.ToString().ToLowerInvariant()}:{Index}",
    };
}
