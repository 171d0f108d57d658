using US3L.Models;
using US3L.Torch.nn;

namespace US3L.Slimmable;

/// <summary>A module whose channel counts follow a width multiplier (science.md 1.1).</summary>
public interface ISlimmable
{
    /// <summary>The width multiplier the next forward pass runs at, in (0, 1].</summary>
    double Width { get; set; }
}

/// <summary>The widths a network was trained for, [Min, Max] (science.md 1.1: [0.25, 1.0]).</summary>
public readonly record struct WidthRange(double Min, double Max)
{
    public static WidthRange Default => new(0.25, 1.0);

    public bool Contains(double width) => width >= Min - WidthRule.Tolerance && width <= Max + WidthRule.Tolerance;

    /// <summary>Throws unless <paramref name="width"/> lies in the range.</summary>
    public void Check(double width)
    {
        if (!Contains(width))
            throw new ArgumentOutOfRangeException(null,
                $"width {width.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside the trained range {this}.");
    }

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{Min:0.0##}, {Max:0.0##}]");
}

/// <summary>Sets the width on every slimmable module of a sub-tree (science.md 9 item 7).</summary>
public static class SlimmableExtensions
{
    /// <summary>
    /// Sets <paramref name="width"/> on <paramref name="module"/> and every slimmable descendant.
    /// Every <see cref="SlimmableNetwork"/> in the sub-tree first checks its trained range (and an
    /// S-Net its width list), so a width the network never saw is an error rather than a silently
    /// untrained sub-network.
    /// </summary>
    public static T SetWidth<T>(this T module, double width) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        WidthRule.CheckWidth(width);
        var all = module.modules().ToList();
        foreach (var network in all.OfType<SlimmableNetwork>()) network.CheckWidth(width);
        foreach (var slimmable in all.OfType<ISlimmable>()) slimmable.Width = width;
        foreach (var network in all.OfType<SlimmableNetwork>()) network.RecordWidth(width);
        return module;
    }

    /// <summary>
    /// The width of the slimmable modules in the sub-tree; an error if it has none or if they
    /// disagree (someone set one layer by hand).
    /// </summary>
    public static double GetWidth(this Module module)
    {
        var widths = module.modules().OfType<ISlimmable>().Select(s => s.Width).Distinct().ToList();
        return widths.Count switch
        {
            0 => throw new ArgumentException($"{module.TypeName} contains no slimmable layer."),
            1 => widths[0],
            _ => throw new InvalidOperationException($"The slimmable layers of {module.TypeName} run at different widths: {string.Join(", ", widths)}."),
        };
    }
}
