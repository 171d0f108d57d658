namespace US3L.Torch.nn;

/// <summary>
/// Parameter initialisers, as <c>torch.nn.init</c>. Each fills the tensor in place without
/// recording gradients and returns it.
/// </summary>
public static class init
{
    /// <summary>(fan_in, fan_out) of a weight [out, in, *kernel] as PyTorch computes them.</summary>
    public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor tensor)
    {
        var s = tensor.shape;
        if (s.Length < 2)
            throw new ArgumentException($"Fan in and fan out need a tensor with at least 2 dims, got shape {Tensor.ShapeString(s)}.");
        long receptive = 1;
        for (var i = 2; i < s.Length; i++) receptive *= s[i];
        return (s[1] * receptive, s[0] * receptive);
    }

    /// <summary>The recommended gain of a nonlinearity ("relu", "leaky_relu", "linear", "tanh", ...).</summary>
    public static double calculate_gain(string nonlinearity, double param = 0.01) => nonlinearity switch
    {
        "linear" or "conv2d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
        "selu" => 3.0 / 4,
        _ => throw new ArgumentException($"Unknown nonlinearity '{nonlinearity}'. Expected linear, sigmoid, tanh, relu, leaky_relu or selu."),
    };

    public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
    {
        using var _ = torch.no_grad();
        return tensor.uniform_(a, b, generator);
    }

    public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        using var _ = torch.no_grad();
        return tensor.normal_(mean, std, generator);
    }

    public static Tensor constant_(Tensor tensor, double value)
    {
        using var _ = torch.no_grad();
        return tensor.fill_(value);
    }

    public static Tensor zeros_(Tensor tensor) => constant_(tensor, 0);

    public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

    /// <summary>He initialisation, uniform: bound = gain * sqrt(3 / fan).</summary>
    public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        var std = calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
        var bound = Math.Sqrt(3.0) * std;
        return uniform_(tensor, -bound, bound, generator);
    }

    /// <summary>He initialisation, normal: std = gain / sqrt(fan).</summary>
    public static Tensor kaiming_normal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu",
        Generator? generator = null)
    {
        var std = calculate_gain(nonlinearity, a) / Math.Sqrt(Fan(tensor, mode));
        return normal_(tensor, 0, std, generator);
    }

    /// <summary>A normal distribution cut at [a, b]: entries outside are redrawn, not clamped.</summary>
    public static Tensor trunc_normal_(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        if (!(a < b)) throw new ArgumentException($"trunc_normal_: need a < b, got [{a}, {b}].");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        tensor.normal_(mean, std, generator);
        for (var round = 0; round < 1000; round++)
        {
            var outside = tensor.lt(a).logical_or(tensor.gt(b));
            if (!outside.any().item<bool>()) return tensor;
            var redraw = torch.empty_like(tensor).normal_(mean, std, generator);
            tensor.copy_(torch.where(outside, redraw, tensor));
        }
        throw new ArgumentException($"trunc_normal_: [{a}, {b}] holds almost no mass of N({mean}, {std}^2).");
    }

    /// <summary>Xavier/Glorot initialisation, uniform: bound = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor xavier_uniform_(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
        var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return uniform_(tensor, -bound, bound, generator);
    }

    private static long Fan(Tensor tensor, string mode)
    {
        var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
        return mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"Unknown mode '{mode}'. Expected fan_in or fan_out."),
        };
    }
}
