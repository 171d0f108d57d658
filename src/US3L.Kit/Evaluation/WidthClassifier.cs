using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>
/// The reference's classifier at width w (science.md 6.7): the backbone's <c>fc</c> is a
/// Linear(F(1.0) → classes) with PyTorch's default initialisation that reads only the first F(w)
/// features (<c>USLinear(..., us=[True, False])</c>). The weight keeps its full size, so the
/// initial bound is 1/√F(1.0) and the columns past F(w) never change; LARS's trust ratio sees the
/// full tensor, as in the reference.
/// </summary>
internal sealed class WidthClassifier : IDisposable
{
    private readonly Linear linear;

    public WidthClassifier(int fullFeatures, int features, int classes, Generator generator, Device device)
    {
        if (features < 1 || features > fullFeatures)
            throw new ArgumentOutOfRangeException(nameof(features), $"The classifier reads 1 to {fullFeatures} features, got {features}.");
        Features = features;
        linear = new Linear(fullFeatures, classes, generator: generator);
        linear.to(device);
    }

    /// <summary>F(w): the features read.</summary>
    public int Features { get; }

    public IEnumerable<Tensor> Parameters => linear.parameters();

    public Tensor Forward(Tensor features)
    {
        using var weight = linear.weight.narrow(1, 0, Features);
        return F.linear(features, weight, linear.bias);
    }

    public void Dispose() => linear.Dispose();
}
