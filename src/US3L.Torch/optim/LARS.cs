namespace US3L.Torch.optim;

/// <summary>
/// Layer-wise adaptive rate scaling (You et al. 2017) over SGD with momentum, as used by SimCLR
/// and BYOL and solo-learn's LARS. For each parameter (unless excluded):
/// <code>
/// local_lr = eta * |p| / (|g| + weight_decay * |p| + eps)     (only when |p| > 0 and |g| > 0)
/// clip_lr:  local_lr = min(local_lr / lr, 1)
/// g = (g + weight_decay * p) * local_lr
/// </code>
/// then PyTorch's SGD momentum step and <c>p -= lr * g</c>. With exclude_bias_n_norm, 1-D
/// parameters (biases, BatchNorm affine) get neither the scaling nor weight decay.
/// The ratio is computed on the device (no host sync).
/// </summary>
public sealed class LARS : Optimizer
{
    public LARS(IEnumerable<Tensor> parameters, double lr, double momentum = 0.9, double weight_decay = 0, double eta = 1e-3,
        double eps = 1e-8, bool clip_lr = false, bool exclude_bias_n_norm = false, double dampening = 0, bool nesterov = false)
        : this(new[] { new ParamGroup(parameters) }, lr, momentum, weight_decay, eta, eps, clip_lr, exclude_bias_n_norm, dampening, nesterov) { }

    public LARS(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0.9, double weight_decay = 0, double eta = 1e-3,
        double eps = 1e-8, bool clip_lr = false, bool exclude_bias_n_norm = false, double dampening = 0, bool nesterov = false)
        : base(param_groups, Defaults(lr, momentum, weight_decay, eta, eps, clip_lr, exclude_bias_n_norm, dampening, nesterov)) { }

    private static Dictionary<string, double> Defaults(double lr, double momentum, double weight_decay, double eta, double eps,
        bool clip_lr, bool exclude_bias_n_norm, double dampening, bool nesterov)
    {
        var d = SGD.Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize: false);
        d.Remove("maximize");
        d["eta"] = eta;
        d["eps"] = eps;
        d["clip_lr"] = clip_lr ? 1 : 0;
        d["exclude_bias_n_norm"] = exclude_bias_n_norm ? 1 : 0;
        return d;
    }

    protected override void Validate(ParamGroup group)
    {
        base.Validate(group);
        SGD.ValidateMomentum(group);
        if (group["eta"] <= 0) throw new ArgumentException($"Invalid eta (trust coefficient) {group["eta"]}: must be > 0.");
    }

    protected override void Update(ParamGroup group, Tensor p, Tensor grad, ParamState state)
    {
        var g = grad;
        var excluded = group["exclude_bias_n_norm"] != 0 && p.dim() == 1;
        if (!excluded)
        {
            var wd = group["weight_decay"];
            var pNorm = p.square().sum().sqrt();
            var gNorm = grad.square().sum().sqrt();
            var localLr = pNorm.mul(group["eta"]).div_(gNorm.add(pNorm, wd).add_(group["eps"]));
            if (group["clip_lr"] != 0) localLr = localLr.div_(group.lr).clamp_max(1);
            var adapted = grad.add(p, wd).mul_(localLr);
            var apply = pNorm.gt(0).logical_and(gNorm.gt(0));
            g = torch.where(apply, adapted, grad);
        }
        g = SGD.ApplyMomentum(group, g, state);
        p.add_(g, -group.lr);
    }
}
