using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>
/// The collapse monitors of science.md 2.2 for one batch of features Z [B, d] (projector outputs or
/// pooled backbone features of one width), all computed on the row-wise ℓ2-normalized Ẑ.
/// A projector that ends in a BN without affine (SimSiam) standardizes every output dimension over
/// the batch, which pins s near 1/√d whatever the backbone does: read collapse of such a method on
/// the backbone features (the trainer logs both).
/// </summary>
/// <param name="Count">B, the rows measured.</param>
/// <param name="Dim">d, the feature dimension.</param>
/// <param name="FeatureStd">s: mean over the d dimensions of the (unbiased) std over the batch of Ẑ.</param>
/// <param name="HealthyStd">1/√d, the value of s for whitened (isotropic) features.</param>
/// <param name="MeanCosine">Mean cosine over the B(B-1) ordered pairs of distinct rows: ≈ 0 healthy, 1 collapsed.</param>
/// <param name="EffectiveRank">exp(entropy of the normalized singular values of the centred Ẑ), in [1, min(B, d)].</param>
/// <param name="CollapseLevel">clamp(1 - s·√d, 0, 1): 0 = as spread as whitened features, 1 = every row identical.</param>
/// <param name="Alarm">s &lt; 0.2/√d (equivalently CollapseLevel &gt; 0.8), the alarm threshold of science.md 2.2.</param>
public sealed record CollapseStats(int Count, int Dim, double FeatureStd, double HealthyStd, double MeanCosine,
    double EffectiveRank, double CollapseLevel, bool Alarm);

/// <summary>
/// Computes <see cref="CollapseStats"/>. Complete collapse maps every image to the same point, so
/// the per-dimension spread vanishes (s → 0), all pairs become parallel (cosine → 1) and the centred
/// matrix has no direction left (effective rank → 1). Dimensional collapse keeps s and the cosine
/// moderate but shows as an effective rank far below d.
/// <para>
/// The level is defined from s because s is the cheapest of the three and has a fixed healthy
/// reference: for isotropic unit vectors every coordinate has variance 1/d, so s·√d ≈ 1.
/// Backbone features after a ReLU share a positive mean direction and sit below that reference
/// even when they are useful; compare levels across widths or time, not against 0.
/// </para>
/// </summary>
public static class CollapseMeter
{
    /// <summary>s below this fraction of 1/√d raises the alarm (science.md 2.2).</summary>
    public const double AlarmFraction = 0.2;

    /// <summary>
    /// Singular values below this fraction of ‖Ẑ‖_F = √B are float rounding, not spread: without the
    /// cut, B identical rows (centred matrix ≈ 1e-8 noise) would report a large effective rank.
    /// </summary>
    private const double RankTolerance = 1e-5;

    /// <summary>The monitors for features [B, d] (B ≥ 2), computed in float64.</summary>
    public static CollapseStats Measure(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2)
            throw new ArgumentException($"Collapse meters need features [B, d], got shape {FeatureBank.ShapeText(features.shape)}.", nameof(features));
        if (features.size(0) < 2)
            throw new ArgumentException($"Collapse meters need at least 2 rows to measure spread, got {features.size(0)}.", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"Collapse meters need floating-point features, got {features.dtype.Name()}.", nameof(features));

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var b = (int)features.size(0);
        var d = (int)features.size(1);
        var z = F.normalize(features.detach().to(ScalarType.Float64), dim: 1);

        var std = z.std(0).mean().item<double>();
        var healthy = 1 / Math.Sqrt(d);

        // Σ_{i≠j} ẑ_i·ẑ_j = ‖Σ_i ẑ_i‖² - Σ_i ‖ẑ_i‖²: O(B·d) instead of a B×B Gram matrix.
        var total = z.sum(0).square().sum().item<double>();
        var diagonal = z.square().sum().item<double>();
        var meanCosine = (total - diagonal) / ((double)b * (b - 1));

        var level = Math.Clamp(1 - std / healthy, 0, 1);
        return new CollapseStats(b, d, std, healthy, meanCosine, EffectiveRank(z), level, std < AlarmFraction * healthy);
    }

    /// <summary>exp(H(p)) with p = σ / Σσ over the singular values σ of the centred rows (Roy and Vetterli 2007).</summary>
    private static double EffectiveRank(Tensor z)
    {
        var centred = z.sub(z.mean(0, keepdim: true));
        var sigma = torch.linalg.svdvals(centred).ToArray<double>();
        var cut = RankTolerance * Math.Sqrt(z.size(0));
        var kept = sigma.Where(s => s > cut).ToArray();
        // No spread at all: every row is the same point, the rank-1 end of the scale.
        if (kept.Length == 0) return 1;
        var sum = kept.Sum();
        var entropy = 0.0;
        foreach (var s in kept)
        {
            var p = s / sum;
            entropy -= p * Math.Log(p);
        }
        return Math.Exp(entropy);
    }
}
