using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>Settings of the weighted kNN classifier (science.md 2.2 item 5).</summary>
/// <param name="K">Neighbours that vote: 200 is the InstDisc/solo-learn default, 20 is also common (science.md 8.1).</param>
/// <param name="Temperature">τ in the vote weight exp(cos/τ); 0.1 as in InstDisc and solo-learn.</param>
public sealed record KnnOptions(int K = 200, double Temperature = 0.1)
{
    internal void Validate(int bankSize)
    {
        if (K < 1) throw new ArgumentOutOfRangeException(nameof(K), $"kNN needs k >= 1, got {K}.");
        if (K > bankSize)
            throw new ArgumentOutOfRangeException(nameof(K), $"kNN with k = {K} needs at least {K} bank rows, the bank has {bankSize}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"kNN temperature must be a positive finite number, got {Temperature}.");
    }
}

/// <summary>
/// Accuracy of one kNN run. <see cref="Top5"/> is null when there are 5 classes or fewer (it would
/// be 1 by construction).
/// </summary>
public sealed record KnnResult(KnnOptions Options, double Top1, double? Top5, int BankSize, int QueryCount, int Dim);

/// <summary>
/// Weighted k-nearest-neighbour classification on frozen features, the rule of InstDisc (Wu et al.
/// 2018) as solo-learn implements it: features are ℓ2-normalized, the k bank rows of highest cosine
/// similarity vote for their class with weight exp(cos/τ), and the class with the largest summed
/// weight is the prediction. Queries run in chunks, so memory is bounded by chunk × bank size.
/// </summary>
public static class Knn
{
    /// <summary>Queries per chunk: a [256, N] similarity block, 61 MB for N = 60,000.</summary>
    public const int DefaultChunkSize = 256;

    /// <summary>Classifies every row of <paramref name="queries"/> against <paramref name="bank"/>.</summary>
    public static KnnResult Evaluate(FeatureBank bank, FeatureBank queries, KnnOptions? options = null, int chunkSize = DefaultChunkSize) =>
        Evaluate(bank, queries, new[] { options ?? new KnnOptions() }, chunkSize)[0];

    /// <summary>
    /// Several settings in one pass (e.g. k = 20 and k = 200): the similarity matrix and the
    /// neighbour search are computed once, for the largest k.
    /// </summary>
    public static IReadOnlyList<KnnResult> Evaluate(FeatureBank bank, FeatureBank queries, IReadOnlyList<KnnOptions> options,
        int chunkSize = DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(queries);
        CheckCompatible(bank, queries, options, chunkSize);
        var maxK = options.Max(o => o.K);
        var top1 = new long[options.Count];
        var top5 = new long[options.Count];
        var topN = Math.Min(5, bank.NumClasses);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            var bankUnit = F.normalize(bank.Features.to(ScalarType.Float32), dim: 1).t();
            var labels = queries.Labels.to(bank.Features.device);
            for (var start = 0; start < queries.Count; start += chunkSize)
            {
                using var chunkScope = torch.NewDisposeScope();
                var n = Math.Min(chunkSize, queries.Count - start);
                var q = F.normalize(queries.Features.narrow(0, start, n).to(ScalarType.Float32, bank.Features.device), dim: 1);
                var (sim, idx) = q.mm(bankUnit).topk(maxK, dim: 1);
                var neighbourLabels = bank.Labels.index_select(0, idx.flatten()).view(n, maxK);
                var truth = labels.narrow(0, start, n).unsqueeze(1);
                for (var i = 0; i < options.Count; i++)
                {
                    var scores = Scores(sim, neighbourLabels, options[i], bank.NumClasses);
                    var ranked = scores.topk(topN, dim: 1).indices;
                    var hits = ranked.eq(truth);
                    top1[i] += hits.narrow(1, 0, 1).sum().item<long>();
                    top5[i] += hits.sum().item<long>();
                }
            }
        }
        return options.Select((o, i) => new KnnResult(o, (double)top1[i] / queries.Count,
            bank.NumClasses > 5 ? (double)top5[i] / queries.Count : null, bank.Count, queries.Count, bank.Dim)).ToArray();
    }

    /// <summary>
    /// Class scores [Q, C] of queries [Q, F] against a bank [N, F] with labels [N]: for each query,
    /// the sum of exp(cos/τ) over its k most similar bank rows, per class. Inputs need not be
    /// normalized. The argmax of a row is the kNN prediction.
    /// </summary>
    public static Tensor ClassScores(Tensor bankFeatures, Tensor bankLabels, Tensor queries, int numClasses, KnnOptions? options = null)
    {
        var o = options ?? new KnnOptions();
        if (bankFeatures.dim() != 2 || queries.dim() != 2 || bankFeatures.size(1) != queries.size(1))
            throw new ArgumentException(
                $"kNN needs bank [N, F] and queries [Q, F] with the same F, got {FeatureBank.ShapeText(bankFeatures.shape)} and {FeatureBank.ShapeText(queries.shape)}.");
        if (bankLabels.dim() != 1 || bankLabels.size(0) != bankFeatures.size(0))
            throw new ArgumentException($"kNN bank labels must be [{bankFeatures.size(0)}], got {FeatureBank.ShapeText(bankLabels.shape)}.");
        o.Validate((int)bankFeatures.size(0));
        using var scope = torch.NewDisposeScope();
        var sim = F.normalize(queries, dim: 1).mm(F.normalize(bankFeatures, dim: 1).t());
        var (top, idx) = sim.topk(o.K, dim: 1);
        var neighbourLabels = bankLabels.index_select(0, idx.flatten()).view(idx.shape);
        return scope.MoveToOuter(Scores(top, neighbourLabels, o, numClasses));
    }

    /// <summary>
    /// Votes of the first K neighbours: sim [Q, ≥K] sorted in descending order, labels [Q, ≥K].
    /// </summary>
    private static Tensor Scores(Tensor sim, Tensor neighbourLabels, KnnOptions o, int numClasses)
    {
        var q = sim.size(0);
        var weights = sim.narrow(1, 0, o.K).div(o.Temperature).exp();
        var votes = torch.zeros(new long[] { q, numClasses }, weights.dtype, weights.device);
        return votes.scatter_add(1, neighbourLabels.narrow(1, 0, o.K), weights);
    }

    private static void CheckCompatible(FeatureBank bank, FeatureBank queries, IReadOnlyList<KnnOptions> options, int chunkSize)
    {
        if (options is null || options.Count == 0) throw new ArgumentException("kNN needs at least one KnnOptions.", nameof(options));
        foreach (var o in options) o.Validate(bank.Count);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), $"kNN chunk size must be positive, got {chunkSize}.");
        if (bank.Dim != queries.Dim)
            throw new ArgumentException($"kNN: the bank '{bank.Name}' has {bank.Dim} features per row, the queries '{queries.Name}' have {queries.Dim}.");
        if (bank.NumClasses != queries.NumClasses)
            throw new ArgumentException($"kNN: the bank '{bank.Name}' has {bank.NumClasses} classes, the queries '{queries.Name}' have {queries.NumClasses}.");
    }
}
