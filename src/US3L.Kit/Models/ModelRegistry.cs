namespace US3L.Models;

/// <summary>Builds slimmable backbones by the reference code's names (science.md 1.4, 8.1).</summary>
public static class ModelRegistry
{
    private static readonly Dictionary<string, Func<ModelOptions, SlimmableNetwork>> Factories = new()
    {
        ["us_cifar_resnet18"] = o => new USResNet("us_cifar_resnet18", ResNetLayout.Cifar, false, new[] { 2, 2, 2, 2 }, o),
        ["us_cifar_resnet34"] = o => new USResNet("us_cifar_resnet34", ResNetLayout.Cifar, false, new[] { 3, 4, 6, 3 }, o),
        ["us_cifar_resnet50"] = o => new USResNet("us_cifar_resnet50", ResNetLayout.Cifar, true, new[] { 3, 4, 6, 3 }, o),
        ["us_resnet18"] = o => new USResNet("us_resnet18", ResNetLayout.ImageNet, false, new[] { 2, 2, 2, 2 }, o),
        ["us_resnet50"] = o => new USResNet("us_resnet50", ResNetLayout.ImageNet, true, new[] { 3, 4, 6, 3 }, o),
        ["us_mobilenetv2"] = o => new USMobileNetV2("us_mobilenetv2", cifar: false, o),
        ["us_cifar_mobilenetv2"] = o => new USMobileNetV2("us_cifar_mobilenetv2", cifar: true, o),
        // science.md 8.1: BasicBlocks [1,1,1,1], widths (32, 64, 128, 256), 3x3 stride-1 stem, one input channel.
        ["us_resnet10_mini"] = o => new USResNet("us_resnet10_mini", ResNetLayout.Cifar, false, new[] { 1, 1, 1, 1 },
            o with { StageWidths = o.StageWidths ?? MiniWidths(o.Divisor) }),
        // science.md 1.4: the reference's US-ViTs at 224, and a CPU-sized one for 28x28 (one channel) and 32x32 inputs.
        ["us_vit_tiny"] = o => new USViT("us_vit_tiny", ViTSize.Tiny, 224, o),
        ["us_vit_small"] = o => new USViT("us_vit_small", ViTSize.Small, 224, o),
        ["us_vit_mini"] = o => new USViT("us_vit_mini", ViTSize.Mini, o.InChannels == 1 ? 28 : 32, o),
    };

    /// <summary>The registered architecture names.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Keys.ToArray();

    /// <summary>
    /// The mini model's widths: (32, 64, 128, 256) with divisor 8, or the faster (16, 32, 64, 128)
    /// with divisor 4 so that distinct widths stay distinct (science.md 8.1).
    /// </summary>
    public static IReadOnlyList<int> MiniWidths(int divisor) => divisor == 4 ? new[] { 16, 32, 64, 128 } : new[] { 32, 64, 128, 256 };

    /// <summary>Builds <paramref name="name"/>; an unknown name is an error listing the valid ones.</summary>
    public static SlimmableNetwork Create(string name, ModelOptions? options = null)
    {
        if (!Factories.TryGetValue(name, out var factory))
            throw new ArgumentException($"Unknown architecture '{name}'. Valid names: {string.Join(", ", Names)}.");
        return factory(options ?? new ModelOptions());
    }

    /// <summary>
    /// Options for the mini model on Fashion-MNIST: one input channel, and (when <paramref name="fast"/>)
    /// the (16...128) widths with divisor 4.
    /// </summary>
    public static ModelOptions MiniOptions(bool fast = false) => new() { InChannels = 1, Divisor = fast ? 4 : 8 };
}
