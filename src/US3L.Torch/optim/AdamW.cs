namespace US3L.Torch.optim;

/// <summary>
/// Adam with decoupled weight decay, exactly torch.optim.AdamW (t counts this parameter's steps):
/// <code>
/// p *= 1 - lr * weight_decay
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g         (amsgrad: vmax = max(vmax, v), used below)
/// p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// </code>
/// </summary>
public sealed class AdamW : Optimizer
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : this(new[] { new ParamGroup(parameters) }, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize) { }

    public AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(param_groups, new Dictionary<string, double>
        {
            ["lr"] = lr,
            ["beta1"] = beta1,
            ["beta2"] = beta2,
            ["eps"] = eps,
            ["weight_decay"] = weight_decay,
            ["amsgrad"] = amsgrad ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        })
    { }

    protected override void Validate(ParamGroup group)
    {
        base.Validate(group);
        foreach (var b in new[] { "beta1", "beta2" })
            if (group[b] < 0 || group[b] >= 1) throw new ArgumentException($"Invalid {b} {group[b]}: must be in [0, 1).");
        if (group["eps"] < 0) throw new ArgumentException($"Invalid eps {group["eps"]}: must be >= 0.");
    }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, ParamState state)
    {
        var g = group["maximize"] != 0 ? grad.neg() : grad;
        var (lr, beta1, beta2) = (group.lr, group["beta1"], group["beta2"]);
        var amsgrad = group["amsgrad"] != 0;

        if (!state.tensors.ContainsKey("exp_avg"))
        {
            state.tensors["exp_avg"] = Keep(torch.zeros_like(p));
            state.tensors["exp_avg_sq"] = Keep(torch.zeros_like(p));
            if (amsgrad) state.tensors["max_exp_avg_sq"] = Keep(torch.zeros_like(p));
        }
        var m = state.tensors["exp_avg"];
        var v = state.tensors["exp_avg_sq"];

        p.mul_(1 - lr * group["weight_decay"]);
        m.lerp_(g, 1 - beta1);
        v.mul_(beta2).addcmul_(g, g, 1 - beta2);

        var t = state.step;
        var stepSize = lr / (1 - Math.Pow(beta1, t));
        var bc2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t));
        Tensor second = v;
        if (amsgrad)
        {
            var vmax = state.tensors["max_exp_avg_sq"];
            vmax.copy_(vmax.maximum(v));
            second = vmax;
        }
        var denom = second.sqrt().div_(bc2Sqrt).add_(group["eps"]);
        p.addcdiv_(m, denom, -stepSize);
    }
}
