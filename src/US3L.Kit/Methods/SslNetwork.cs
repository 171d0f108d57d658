using US3L.Heads;
using US3L.Models;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Methods;

/// <summary>
/// The online network θ of a self-supervised method: the slimmable <c>backbone</c>, the
/// <c>projector</c> (its first layer reads F(w)), and the optional <c>predictor</c> q_θ and
/// auxiliary distillation head <c>predictor_new</c> a_θ (the reference code's names, which the
/// group regularizer's predictor rule matches, science.md 5), and the optional feature-distillation
/// adapters <c>proj_conv</c> (science.md 3.7). <see cref="forward"/> gives the projector output at the
/// width last set with <c>SetWidth</c>.
/// </summary>
public sealed class SslNetwork : Module<Tensor, Tensor>
{
    public SslNetwork(SlimmableNetwork backbone, Module<Tensor, Tensor> projector, Module<Tensor, Tensor>? predictor,
        Module<Tensor, Tensor>? auxHead, FeatureAdapters? featureAdapters = null) : base("SslNetwork")
    {
        Backbone = register_module("backbone", backbone);
        Projector = register_module("projector", projector);
        if (predictor is not null) Predictor = register_module("predictor", predictor);
        if (auxHead is not null) AuxHead = register_module("predictor_new", auxHead);
        if (featureAdapters is not null) FeatureAdapters = register_module("proj_conv", featureAdapters);
    }

    public SlimmableNetwork Backbone { get; }
    public Module<Tensor, Tensor> Projector { get; }
    /// <summary>q_θ, the max network's predictor (BYOL, SimSiam, MoCo v3), or null.</summary>
    public Module<Tensor, Tensor>? Predictor { get; }
    /// <summary>a_θ, the sub-networks' own head (guideline G3), or null.</summary>
    public Module<Tensor, Tensor>? AuxHead { get; }
    /// <summary>The feature-distillation adapters (the reference's proj_conv), or null when feature distillation is off.</summary>
    public FeatureAdapters? FeatureAdapters { get; }

    /// <summary>z = projector(backbone(x)) [B, d] at the current width.</summary>
    public override Tensor forward(Tensor input)
    {
        using var features = Backbone.forward(input);
        return Projector.forward(features);
    }
}
