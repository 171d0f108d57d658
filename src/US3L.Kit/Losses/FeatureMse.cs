using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// The feature-distillation criterion of the reference, losses/criterions/MSELoss.py L13-45 given
/// dicts of feature maps (science.md 3.7): for every teacher view t, every student view s ≠ t and
/// every layer l, the element-wise mean squared error between the student's map and the teacher's
/// (detached); the sum divided by the number of terms. With two views that is
/// (1 / 2L) Σ_l [mse(s²_l, t¹_l) + mse(s¹_l, t²_l)]: cross-view pairs only, as in the output
/// distillation, although here the two maps come from different crops.
/// </summary>
public static class FeatureMse
{
    /// <summary>
    /// <paramref name="student"/>[v][l] and <paramref name="teacher"/>[v][l] are the maps of view v at
    /// layer l, [B, C, H, W], the same shape for the same layer. Terms are summed in the reference's
    /// order (teacher view, then student view, then layer). Returns a scalar.
    /// </summary>
    public static Tensor CrossView(IReadOnlyList<IReadOnlyList<Tensor>> student, IReadOnlyList<IReadOnlyList<Tensor>> teacher)
    {
        if (student.Count != teacher.Count || student.Count < 2)
            throw new ArgumentException($"FeatureMse: student and teacher need the same number (≥ 2) of views, got {student.Count} and {teacher.Count}.");
        var layers = teacher[0].Count;
        if (layers == 0 || student.Concat(teacher).Any(v => v.Count != layers))
            throw new ArgumentException($"FeatureMse: every view needs the same (non-zero) number of layers, got {string.Join(", ", student.Concat(teacher).Select(v => v.Count))}.");
        using var scope = torch.NewDisposeScope();
        Tensor? total = null;
        var terms = 0;
        for (var t = 0; t < teacher.Count; t++)
            for (var s = 0; s < student.Count; s++)
            {
                if (s == t) continue;
                for (var l = 0; l < layers; l++)
                {
                    var (a, b) = (student[s][l], teacher[t][l]);
                    if (!a.shape.SequenceEqual(b.shape))
                        throw new ArgumentException($"FeatureMse: layer {l} has student shape {LossChecks.Shape(a)} and teacher shape {LossChecks.Shape(b)}.");
                    var term = F.mse_loss(a, b.detach());
                    total = total is null ? term : total + term;
                    terms++;
                }
            }
        return scope.MoveToOuter(total! / terms);
    }
}
