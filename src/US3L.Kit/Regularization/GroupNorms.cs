using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Regularization;

/// <summary>The filter norms of one slimmable conv, per output-channel group.</summary>
/// <param name="Name">The conv's dotted module name.</param>
/// <param name="Channels">C_out, the conv's full output channels.</param>
/// <param name="Rms">
/// Per group i: √(mean over the group's filters j of ‖W_j‖²), the root-mean-square L2 norm of one
/// output filter, so groups of different sizes (the last takes the remainder) compare fairly.
/// </param>
public sealed record LayerGroupNorms(string Name, long Channels, double[] Rms)
{
    /// <summary>Rms[i] / Rms[0]: each group relative to group 0, the channels every width uses.</summary>
    public double[] Relative => Rms.Select(r => r / Rms[0]).ToArray();
}

/// <summary>
/// The per-group filter-norm profile of a network (science.md 5, 8.2 E6): how large the conv filters
/// of channel group i are relative to group 0, averaged over the slimmable convs.
/// </summary>
/// <param name="Groups">K, the channel groups per conv (the grouping of <see cref="GroupRegularization.GroupOf"/>).</param>
/// <param name="Layers">Every conv measured, in module order.</param>
/// <param name="Relative">Per group: the mean over <see cref="Layers"/> of <see cref="LayerGroupNorms.Relative"/> (group 0 is 1).</param>
/// <param name="StandardError">Per group: the standard error of that mean across layers (0 with a single layer).</param>
public sealed record GroupNormProfile(int Groups, IReadOnlyList<LayerGroupNorms> Layers, double[] Relative, double[] StandardError)
{
    /// <summary>The last group relative to the first: 1 is flat, below 1 means the late channels are smaller.</summary>
    public double LastToFirst => Relative[^1];

    /// <summary>Mean |Relative[i] − 1| over the groups: 0 for a perfectly flat profile.</summary>
    public double DeviationFromFlat => Relative.Average(r => Math.Abs(r - 1));

    /// <summary>
    /// Relative[<paramref name="group"/>] of this profile minus <paramref name="other"/>'s, paired
    /// conv by conv: the mean of the per-conv differences and its standard error. Pairing removes
    /// what both networks share (the same initialization, the same architecture) from the noise.
    /// </summary>
    public (double Mean, double StandardError) DifferenceFrom(GroupNormProfile other, int group)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckSameConvs(other, nameof(other));
        if (group < 0 || group >= Groups) throw new ArgumentOutOfRangeException(nameof(group), $"Group {group} is outside 0 … {Groups - 1}.");
        var d = Layers.Zip(other.Layers, (a, b) => a.Relative[group] - b.Relative[group]).ToArray();
        var mean = d.Average();
        var error = d.Length < 2 ? 0 : Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1) / d.Length);
        return (mean, error);
    }

    /// <summary>
    /// How each group grew since <paramref name="initial"/> (the same network before training): per
    /// conv, Rms[i] / initial.Rms[i], the growth factor of group i, so the pattern the random
    /// initialization left in every group cancels and only what training changed remains. The
    /// result's <see cref="LayerGroupNorms.Rms"/> are these growth factors; its
    /// <see cref="Relative"/> is growth of group i over growth of group 0, averaged over convs.
    /// </summary>
    public GroupNormProfile RelativeTo(GroupNormProfile initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        CheckSameConvs(initial, nameof(initial));
        var growth = Layers.Zip(initial.Layers, (now, before) =>
            new LayerGroupNorms(now.Name, now.Channels, now.Rms.Zip(before.Rms, (a, b) => b > 0 ? a / b
                : throw new InvalidOperationException($"Conv '{now.Name}' has a group with all-zero filters at initialization; its growth is undefined.")).ToArray())).ToList();
        return GroupNorms.Summarize(Groups, growth);
    }

    private void CheckSameConvs(GroupNormProfile other, string parameter)
    {
        if (other.Groups != Groups || !other.Layers.Select(l => (l.Name, l.Channels)).SequenceEqual(Layers.Select(l => (l.Name, l.Channels))))
            throw new ArgumentException("Both profiles must measure the same convs with the same groups: " +
                $"got [{string.Join(", ", other.Layers.Select(l => l.Name))}] in {other.Groups} groups against [{string.Join(", ", Layers.Select(l => l.Name))}] in {Groups}.",
                parameter);
    }
}

/// <summary>
/// Measures the mechanistic signal of group regularization (science.md 5): under uniform weight
/// decay the late channel groups, which only wide sub-networks use, receive loss gradients in fewer
/// steps but decay at every step, so their filters end up smaller; a decreasing coefficient profile
/// c_i is meant to flatten that.
/// </summary>
public static class GroupNorms
{
    /// <summary>
    /// The profile of every <see cref="USConv2d"/> of <paramref name="network"/> that slims its
    /// output channels, split into <paramref name="groups"/> contiguous groups exactly as the group
    /// regularizer splits them. Convs with fewer output channels than groups (where the first groups
    /// would be empty) are left out. Each conv is normalized by its own group 0 before averaging,
    /// so layers of different scale weigh the same.
    /// </summary>
    public static GroupNormProfile Profile(Module network, int groups = 8)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"The profile needs at least one group, got {groups}.");
        var grouping = new GroupRegularization(Groups: groups);
        var layers = new List<LayerGroupNorms>();
        foreach (var (name, module) in network.named_modules())
        {
            if (module is not USConv2d { SlimOut: true } conv || conv.out_channels < groups) continue;
            var squares = FilterSquares(conv.weight);
            var sums = new double[groups];
            var counts = new int[groups];
            for (var j = 0; j < squares.Length; j++)
            {
                var g = grouping.GroupOf(j, squares.Length);
                sums[g] += squares[j];
                counts[g]++;
            }
            var rms = sums.Select((s, g) => Math.Sqrt(s / counts[g])).ToArray();
            if (rms[0] == 0)
                throw new InvalidOperationException($"Conv '{name}' has all-zero filters in group 0; its profile relative to group 0 is undefined.");
            layers.Add(new LayerGroupNorms(name, conv.out_channels, rms));
        }
        if (layers.Count == 0)
            throw new ArgumentException($"The network has no slimmable conv with at least {groups} output channels to measure.", nameof(network));

        return Summarize(groups, layers);
    }

    /// <summary>The mean over layers of each layer's profile relative to its group 0, with its standard error.</summary>
    internal static GroupNormProfile Summarize(int groups, IReadOnlyList<LayerGroupNorms> layers)
    {
        var relative = new double[groups];
        var error = new double[groups];
        for (var g = 0; g < groups; g++)
        {
            var values = layers.Select(l => l.Rms[g] / l.Rms[0]).ToArray();
            var mean = values.Average();
            relative[g] = mean;
            error[g] = values.Length < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
        }
        return new GroupNormProfile(groups, layers, relative, error);
    }

    /// <summary>‖W_j‖² of every output filter j, in double.</summary>
    private static double[] FilterSquares(Tensor weight)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return weight.detach().to(ScalarType.Float64, Device.CPU).flatten(1).square().sum(1).ToArray<double>();
    }
}
