namespace US3L.Regularization;

/// <summary>Which axis of a parameter is split into channel groups (science.md 5).</summary>
public enum GroupAxis
{
    /// <summary>
    /// CNNs: 4-D conv weights along the output-channel axis, 1-D tensors along their only axis,
    /// 2-D linear weights (projector, heads) uniform λ.
    /// </summary>
    ConvOutputChannels,

    /// <summary>ViT (not enabled in the released ViT script): linear weights along the input (slimmed) axis; every other tensor uniform λ.</summary>
    LinearInputFeatures,
}

/// <summary>
/// The settings of group regularization, which replaces the optimizer's weight decay (set the
/// optimizer's weight decay to 0 when it is on). Defaults are the README recipe, CIFAR
/// momentum-SimCLR ResNet-18 (science.md 5, "Defaults").
/// </summary>
/// <param name="Lambda">λ, the coefficient of group 0 (5e-5; the rule of thumb is plain weight decay / 2).</param>
/// <param name="Alpha">α, the final slope of the profile (0.05: the last of 8 groups gets 0.65λ).</param>
/// <param name="Groups">K = <c>REGULARIZER_DECAY_BINS</c>, channel groups per tensor (8).</param>
/// <param name="WarmupEpochs">E_warm, epochs of plain uniform λ before the profile starts (0; 200 for 800-epoch BYOL, 50 on ImageNet).</param>
/// <param name="TotalEpochs">E, the length of training; α is reached at E/2 (400).</param>
/// <param name="Axis">CNN (output channels) or ViT (linear inputs) grouping.</param>
/// <param name="SkipPredictorAtMaxWidth">
/// Faithful quirk 7.3.11 (true): at width 1.0 every parameter whose name contains "predictor" is
/// left out, so the max network's predictor is decayed only in sub-network steps. False decays
/// every trainable parameter at every step (a clean port).
/// </param>
/// <param name="ExcludedNameParts">
/// Parameters whose name contains one of these are never regularized, e.g. the feature-distillation
/// 1×1 convs. The EMA teacher is excluded by not being part of the regularized module.
/// </param>
public sealed record GroupRegularization(
    double Lambda = 5e-5,
    double Alpha = 0.05,
    int Groups = 8,
    int WarmupEpochs = 0,
    int TotalEpochs = 400,
    GroupAxis Axis = GroupAxis.ConvOutputChannels,
    bool SkipPredictorAtMaxWidth = true,
    IReadOnlyList<string>? ExcludedNameParts = null)
{
    /// <summary>
    /// α_e: 0 … α linearly from E_warm to ⌊E/2⌋, then α; 0 before E_warm, where the profile is not used at all
    /// (see <see cref="Coefficients"/>). With E_warm ≥ E/2 (ImageNet: 50 of 100) there is no ramp:
    /// the coefficients jump from uniform λ to the full profile at E_warm.
    /// </summary>
    public double AlphaAt(int epoch)
    {
        Validate(epoch);
        if (epoch < WarmupEpochs) return 0;
        // Integer division, as the reference's ramp_epochs = total_epochs // 2 (GroupReg.py L26): for an
        // odd E the ramp ends at ⌊E/2⌋.
        var half = TotalEpochs / 2;
        return epoch < half ? Alpha * (epoch - WarmupEpochs) / (double)(half - WarmupEpochs) : Alpha;
    }

    /// <summary>c_0 … c_{K−1} for epoch <paramref name="epoch"/> (0-based).</summary>
    public double[] Coefficients(int epoch)
    {
        Validate(epoch);
        var c = new double[Groups];
        if (epoch < WarmupEpochs)
        {
            Array.Fill(c, Lambda);
            return c;
        }
        var a = AlphaAt(epoch);
        for (var i = 0; i < Groups; i++)
            c[i] = Lambda * (1 - a * i);
        return c;
    }

    /// <summary>
    /// The group of channel <paramref name="channel"/> of an axis of <paramref name="channels"/>:
    /// K contiguous groups of floor(C/K) channels, the last one taking the remainder. When C &lt; K
    /// the first K − 1 groups are empty and every channel is in the last group.
    /// </summary>
    public int GroupOf(long channel, long channels)
    {
        if (channel < 0 || channel >= channels)
            throw new ArgumentOutOfRangeException(nameof(channel), $"Channel {channel} is outside an axis of {channels}.");
        var size = channels / Groups;
        return size == 0 ? Groups - 1 : (int)Math.Min(channel / size, Groups - 1);
    }

    /// <summary>True for parameters that are never regularized (see <see cref="ExcludedNameParts"/>).</summary>
    public bool IsExcluded(string name) => ExcludedNameParts?.Any(name.Contains) ?? false;

    private void Validate(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"The epoch must be 0 or more, got {epoch}.");
        if (Groups < 1) throw new ArgumentException($"Group regularization needs at least one group, got {Groups}.");
        if (TotalEpochs < 1) throw new ArgumentException($"TotalEpochs must be positive, got {TotalEpochs}.");
        if (WarmupEpochs < 0) throw new ArgumentException($"WarmupEpochs must be 0 or more, got {WarmupEpochs}.");
        if (!(Lambda >= 0) || double.IsInfinity(Lambda)) throw new ArgumentException($"Lambda must be a finite value ≥ 0, got {Lambda}.");
        if (double.IsNaN(Alpha) || double.IsInfinity(Alpha)) throw new ArgumentException($"Alpha must be finite, got {Alpha}.");
    }
}
