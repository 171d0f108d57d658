using System.Text.RegularExpressions;

namespace US3L.Import;

/// <summary>
/// The renames between the official code's backbones and the kit's (science.md 6.6). The
/// ResNets (models/OFA/us_cifar_resnet.py, us_resnet.py) already use torchvision's names, as the
/// kit does. The US-MobileNetV2 (models/OFA/us_mobilenet_v2.py) keeps each inverted residual in
/// one flat <c>body</c> Sequential with its ReLU6s, where the kit and torchvision nest conv+BN+ReLU6
/// in <c>conv</c>: with expansion (t ≠ 1) body.{0,1,3,4,6,7} are conv.{0.0, 0.1, 1.0, 1.1, 2, 3};
/// for the t = 1 block body.{0,1,3,4} are conv.{0.0, 0.1, 1, 2}. The stem (features.0.0/0.1) and
/// the last 1×1 conv with its ordinary BN (features.18.0/18.1) are named alike on both sides.
/// </summary>
public static partial class ReferenceNames
{
    private static readonly Dictionary<int, string> Expanded = new() { [0] = "0.0", [1] = "0.1", [3] = "1.0", [4] = "1.1", [6] = "2", [7] = "3" };
    private static readonly Dictionary<int, string> Unexpanded = new() { [0] = "0.0", [1] = "0.1", [3] = "1", [4] = "2" };

    [GeneratedRegex(@"^features\.(\d+)\.body\.(\d+)\.(.+)$")]
    private static partial Regex BodyKey();

    /// <summary>
    /// Kit names for the backbone keys of one checkpoint (names inside the encoder). Keys the
    /// renames do not touch map to themselves; a <c>body</c> index that holds no parameters in the
    /// reference (a ReLU6) is left as it is, so it surfaces as unexpected.
    /// </summary>
    public static Dictionary<string, string> ToKit(IReadOnlyCollection<string> keys, bool mobileNetV2)
    {
        var result = keys.Distinct().ToDictionary(k => k, k => k, StringComparer.Ordinal);
        if (!mobileNetV2) return result;
        // A block is expanded when its body has a 7th layer (the projection's BN, body.7).
        var expandedBlocks = keys.Select(k => BodyKey().Match(k)).Where(m => m.Success && m.Groups[2].Value == "7")
            .Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var key in keys)
        {
            var m = BodyKey().Match(key);
            if (!m.Success) continue;
            var table = expandedBlocks.Contains(m.Groups[1].Value) ? Expanded : Unexpanded;
            if (table.TryGetValue(int.Parse(m.Groups[2].Value), out var conv))
                result[key] = $"features.{m.Groups[1].Value}.conv.{conv}.{m.Groups[3].Value}";
        }
        return result;
    }
}
