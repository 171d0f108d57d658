namespace US3L.Torch.optim;

/// <summary>
/// Stochastic gradient descent with momentum, exactly torch.optim.SGD:
/// <code>
/// g = grad + weight_decay * p
/// buf = g                                  (first step)
/// buf = momentum * buf + (1 - dampening) * g (later steps)
/// g = nesterov ? g + momentum * buf : buf  (when momentum != 0)
/// p -= lr * g
/// </code>
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : this(new[] { new ParamGroup(parameters) }, lr, momentum, dampening, weight_decay, nesterov, maximize) { }

    public SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(param_groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize)) { }

    internal static Dictionary<string, double> Defaults(double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) => new()
    {
        ["lr"] = lr,
        ["momentum"] = momentum,
        ["dampening"] = dampening,
        ["weight_decay"] = weight_decay,
        ["nesterov"] = nesterov ? 1 : 0,
        ["maximize"] = maximize ? 1 : 0,
    };

    protected override void Validate(ParamGroup group)
    {
        base.Validate(group);
        ValidateMomentum(group);
    }

    internal static void ValidateMomentum(ParamGroup group)
    {
        if (group["momentum"] < 0) throw new ArgumentException($"Invalid momentum {group["momentum"]}: must be >= 0.");
        if (group["nesterov"] != 0 && (group["momentum"] <= 0 || group["dampening"] != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0.");
    }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, ParamState state)
    {
        var g = group["maximize"] != 0 ? grad.neg() : grad;
        var wd = group["weight_decay"];
        if (wd != 0) g = g.add(p, wd);
        g = ApplyMomentum(group, g, state);
        p.add_(g, -group.lr);
    }

    /// <summary>PyTorch's momentum step (shared with LARS); returns the direction to descend.</summary>
    internal static Tensor ApplyMomentum(ParamGroup group, Tensor g, ParamState state)
    {
        var momentum = group["momentum"];
        if (momentum == 0) return g;
        if (!state.tensors.TryGetValue("momentum_buffer", out var buf))
            state.tensors["momentum_buffer"] = buf = Keep(g);
        else
            buf.mul_(momentum).add_(g, 1 - group["dampening"]);
        return group["nesterov"] != 0 ? g.add(buf, momentum) : buf;
    }
}
