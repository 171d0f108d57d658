using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.nn;

/// <summary>
/// Batch normalisation over the channel dim (dim 1), as PyTorch's _BatchNorm: affine γ/β, and
/// running statistics (running_mean, running_var, num_batches_tracked) unless
/// track_running_stats is false, in which case batch statistics are used in train and eval mode.
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    public long num_features { get; }
    public double eps { get; }
    /// <summary>Weight of the newest batch in the running averages; null means a cumulative average.</summary>
    public double? momentum { get; set; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }
    public Tensor? running_mean { get; private set; }
    public Tensor? running_var { get; private set; }
    public Tensor? num_batches_tracked { get; private set; }

    protected BatchNormBase(long num_features, double eps, double? momentum, bool affine, bool track_running_stats)
    {
        if (num_features < 1) throw new ArgumentException($"{GetType().Name} needs num_features >= 1, got {num_features}.");
        this.num_features = num_features;
        this.eps = eps;
        this.momentum = momentum;
        weight = register_optional_parameter("weight", affine ? torch.ones(num_features) : null);
        bias = register_optional_parameter("bias", affine ? torch.zeros(num_features) : null);
        if (track_running_stats) CreateRunningStats();
    }

    public bool track_running_stats => running_mean is not null;

    /// <summary>Adds fresh running statistics (mean 0, var 1), e.g. to calibrate a network trained without them.</summary>
    public void CreateRunningStats()
    {
        if (running_mean is not null) return;
        var device = weight?.device ?? Device.CPU;
        running_mean = register_buffer("running_mean", torch.zeros(new[] { num_features }, device: device));
        running_var = register_buffer("running_var", torch.ones(new[] { num_features }, device: device));
        num_batches_tracked = register_buffer("num_batches_tracked", torch.zeros(new long[] { }, ScalarType.Int64, device));
    }

    /// <summary>Resets the running statistics to mean 0, var 1 and zero batches seen.</summary>
    public void reset_running_stats()
    {
        if (running_mean is null) return;
        using var _ = torch.no_grad();
        running_mean.zero_();
        running_var!.fill_(1);
        num_batches_tracked!.zero_();
    }

    protected abstract void CheckInputDim(Tensor input);

    public override Tensor forward(Tensor input)
    {
        CheckInputDim(input);
        var useBatchStats = training || running_mean is null;
        var factor = momentum ?? 0.0;
        if (training && running_mean is not null)
        {
            using (torch.no_grad()) num_batches_tracked!.add_(1L);
            // momentum null: a cumulative moving average, weight 1/n for the n-th batch.
            if (momentum is null) factor = 1.0 / num_batches_tracked!.item<long>();
        }
        return F.batch_norm(input, useBatchStats && !training ? null : running_mean, useBatchStats && !training ? null : running_var,
            weight, bias, useBatchStats, factor, eps);
    }

    public override string extra_repr() =>
        $"{num_features}, eps={eps}, momentum={(momentum?.ToString() ?? "None")}, affine={weight is not null}, track_running_stats={track_running_stats}";
}

public class BatchNorm1d : BatchNormBase
{
    public BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
        : base(num_features, eps, momentum, affine, track_running_stats) { }

    protected override void CheckInputDim(Tensor input)
    {
        var d = input.dim();
        if (d != 2 && d != 3)
            throw new ArgumentException($"BatchNorm1d expects 2-D or 3-D input ([N, C] or [N, C, L]), got shape {Tensor.ShapeString(input.shape)}.");
    }
}

public class BatchNorm2d : BatchNormBase
{
    public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
        : base(num_features, eps, momentum, affine, track_running_stats) { }

    protected override void CheckInputDim(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"BatchNorm2d expects 4-D input [N, C, H, W], got shape {Tensor.ShapeString(input.shape)}.");
    }
}
