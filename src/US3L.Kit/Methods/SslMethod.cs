using US3L.Heads;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Training;

namespace US3L.Methods;

/// <summary>The two augmented views of one batch, or their outputs: [B, ...] each.</summary>
public readonly record struct ViewPair(Tensor V1, Tensor V2);

/// <summary>
/// A self-supervised objective for the max-width (or only) network: which heads it needs and its
/// base loss (science.md 3.4 step 3, 9 items 17-19). The training loop (<see cref="Training.WidthLoop"/>)
/// owns everything else: widths, the EMA teacher, distillation of the sub-networks, stepping and
/// diagnostics. Methods are picked by <see cref="PretrainConfig.BaseLoss"/> through <see cref="For"/>.
/// </summary>
public abstract class SslMethod
{
    /// <summary>The config value this method implements.</summary>
    public abstract BaseLoss Kind { get; }

    /// <summary>Whether the base loss needs targets from the EMA teacher (false: SimSiam and plain SimCLR).</summary>
    public virtual bool UsesTeacher => true;

    /// <summary>
    /// Whether a run keeps an EMA teacher (of the backbone and the projector): the base loss needs its
    /// targets, or the sub-networks of a multi-width run are distilled against it (science.md 3.4).
    /// </summary>
    public bool HasTeacher(PretrainConfig c, bool multiWidth) =>
        UsesTeacher || (multiWidth && c.Distill && c.TargetSource == TargetSource.EmaTeacher);

    /// <summary>Whether a run builds the sub-networks' auxiliary head a_θ (guideline G3): distillation through a separate head.</summary>
    public static bool HasAuxiliaryHead(PretrainConfig c, bool multiWidth) =>
        multiWidth && c.Distill && c.DistillHead == DistillHead.Separate;

    /// <summary>Whether the max network has a predictor q_θ on its online branch.</summary>
    public virtual bool HasPredictor => false;

    /// <summary>SimSiam's projector ends with a BN without affine (science.md 9 item 18).</summary>
    public virtual bool ProjectorFinalBatchNorm => false;

    /// <summary>
    /// The base loss, a scalar. <paramref name="z"/> are the online projector outputs of the two
    /// views; <paramref name="targets"/> the teacher's outputs (null when <see cref="UsesTeacher"/>
    /// is false). Gradients flow only through the online branch.
    /// </summary>
    public abstract Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config);

    /// <summary>Called after the loss of a max-width step (MoCo v2 enqueues its keys here).</summary>
    public virtual void AfterBaseLoss(SslNetwork network, ViewPair? targets) { }

    /// <summary>Extra state the method keeps beside the network (MoCo v2's key queue), registered in the network.</summary>
    public virtual void Attach(SslNetwork network, PretrainConfig config) { }

    /// <summary>
    /// The projector g_θ (science 3.4 "Heads"): the BYOL/SimCLR-style MLP of <see cref="MlpHeads"/>,
    /// ending in SimSiam's BN where <see cref="ProjectorFinalBatchNorm"/> says so.
    /// </summary>
    public virtual Sequential BuildProjector(int featureDim, bool slimInput, PretrainConfig c, Generator generator) =>
        MlpHeads.Projector(featureDim, c.ProjectorHidden, c.ProjectorOut, c.Divisor, ProjectorFinalBatchNorm, generator, slimInput);

    /// <summary>The predictor q_θ, built only when <see cref="HasPredictor"/>.</summary>
    public virtual Sequential BuildPredictor(PretrainConfig c, Generator generator) =>
        MlpHeads.Predictor(c.ProjectorOut, c.PredictorHidden, c.ProjectorOut, generator);

    /// <summary>The sub-networks' auxiliary head a_θ (guideline G3): a head of its own, drawn after the predictor.</summary>
    public virtual Sequential BuildAuxiliaryHead(Sequential? predictor, PretrainConfig c, Generator generator) =>
        MlpHeads.Predictor(c.ProjectorOut, c.PredictorHidden, c.ProjectorOut, generator);

    /// <summary>The method for <paramref name="kind"/>.</summary>
    public static SslMethod For(BaseLoss kind) => kind switch
    {
        BaseLoss.Byol => new ByolMethod(),
        BaseLoss.SimClrMomentum => new SimClrMomentumMethod(),
        BaseLoss.SimSiam => new SimSiamMethod(),
        BaseLoss.SimClr => new SimClrMethod(),
        BaseLoss.MocoV2 => new MocoV2Method(),
        BaseLoss.MocoV3 => new MocoV3Method(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"Unknown base loss {kind}."),
    };

    /// <summary>q_θ applied to both views.</summary>
    protected static ViewPair Predict(SslNetwork network, ViewPair z)
    {
        var q = network.Predictor ?? throw new InvalidOperationException("This method needs a predictor, but the network has none.");
        return new ViewPair(q.forward(z.V1), q.forward(z.V2));
    }

    protected static ViewPair Require(ViewPair? targets, string method) =>
        targets ?? throw new InvalidOperationException($"{method} needs teacher targets.");
}
