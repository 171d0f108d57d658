using US3L.Slimmable;

namespace US3L.Models;

/// <summary>
/// The layers of a backbone whose outputs feature distillation can regress (science.md 3.7): the
/// US-BatchNorms of the ResNets, named by module path as the reference's DISTILL_FEATURE_NAME names
/// them (<c>layer2.1.bn2</c>). Other architectures have none: the kit defines feature distillation
/// for the ResNet family only.
/// </summary>
public static class FeatureLayers
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Cache = new();

    /// <summary>Whether <paramref name="arch"/> has feature layers (a registered ResNet).</summary>
    public static bool Supports(string arch) => Names(arch).Count > 0;

    /// <summary>
    /// Every US-BatchNorm of <paramref name="arch"/> by module path, in forward order; empty for an
    /// unknown architecture or one outside the ResNet family. Module names do not depend on the
    /// channel counts, so they are read off a narrow copy of the network (8 channels per stage), whose
    /// weights come from a generator of its own so that asking leaves the process-wide one untouched.
    /// </summary>
    public static IReadOnlyList<string> Names(string arch)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(arch, out var cached)) return cached;
            IReadOnlyList<string> names = Array.Empty<string>();
            if (ModelRegistry.Names.Contains(arch) && arch.Contains("resnet", StringComparison.Ordinal))
            {
                using var narrow = ModelRegistry.Create(arch, new ModelOptions { StageWidths = new[] { 8, 8, 8, 8 }, Seed = 0 });
                if (narrow is USResNet)
                    names = narrow.named_modules().Where(m => m.module is USBatchNorm2d).Select(m => m.name).ToArray();
            }
            return Cache[arch] = names;
        }
    }

    /// <summary>
    /// The reference's layers: <c>bn2</c> of the last block of stages 2, 3 and 4 (layer2.1.bn2,
    /// layer3.1.bn2, layer4.1.bn2 for ResNet-18; layer2.3.bn2, layer3.5.bn2, layer4.2.bn2 for
    /// ResNet-50), as every featdistill config of the reference lists them. Empty where
    /// <see cref="Supports"/> is false.
    /// </summary>
    public static IReadOnlyList<string> Default(string arch)
    {
        var names = Names(arch);
        var chosen = new List<string>();
        for (var stage = 2; stage <= 4; stage++)
        {
            var prefix = $"layer{stage}.";
            var last = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".bn2", StringComparison.Ordinal))
                .MaxBy(n => int.Parse(n.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture));
            if (last is not null) chosen.Add(last);
        }
        return chosen;
    }

    /// <summary>The layers a config distills: <paramref name="configured"/>, or <see cref="Default"/> when it is empty.</summary>
    public static IReadOnlyList<string> Resolve(string arch, IReadOnlyList<string> configured) =>
        configured.Count > 0 ? configured : Default(arch);
}
