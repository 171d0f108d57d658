using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace US3L.Config;

/// <summary>
/// Converts YAML nodes to the types config fields use (string, bool, int, long, double, enums and
/// arrays of those) and back to text. A bad value is an error naming the key, the value and what
/// was expected.
/// </summary>
public static class ConfigValues
{
    /// <summary>What a field of type <paramref name="type"/> accepts, in words.</summary>
    public static string Describe(Type type)
    {
        if (type.IsArray) return $"a list of {Plural(type.GetElementType()!)} such as [1.0, 0.5]";
        if (Nullable.GetUnderlyingType(type) is { } inner) return Describe(inner) + " or null";
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type.IsEnum) return "one of " + string.Join(", ", EnumNames(type));
        throw new NotSupportedException($"Config fields of type {type.Name} are not supported; use string, bool, int, long, double, an enum or an array of those.");
    }

    private static string Plural(Type element) => element == typeof(double) || element == typeof(float) ? "numbers"
        : element == typeof(int) || element == typeof(long) ? "integers"
        : element == typeof(string) ? "strings" : Describe(element);

    /// <summary>The snake_case names of an enum's values, in declaration order.</summary>
    public static IReadOnlyList<string> EnumNames(Type enumType) => Enum.GetNames(enumType).Select(SnakeCase.Of).ToArray();

    /// <summary>
    /// Converts <paramref name="node"/> to a value of <paramref name="field"/>'s type. Errors carry
    /// the node's line when <paramref name="fromFile"/> (not for one-line override text).
    /// </summary>
    public static object? Parse(YamlNode node, ConfigField field, string where, bool fromFile = true)
    {
        var at = fromFile ? node : null;
        var type = field.Type;
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var items = node switch
            {
                YamlSequenceNode seq => seq.Children.ToList(),
                // A bare comma list ("1.0,0.5", handy in --set) is read as the list it spells.
                YamlScalarNode { Value: { } text } when text.Length > 0 =>
                    text.Split(',', StringSplitOptions.TrimEntries).Select(t => (YamlNode)new YamlScalarNode(t)).ToList(),
                YamlScalarNode => new List<YamlNode>(),
                _ => throw Bad(node, field, where, at),
            };
            var array = Array.CreateInstance(element, items.Count);
            for (var i = 0; i < items.Count; i++) array.SetValue(Scalar(items[i], element, field, where, at), i);
            return array;
        }
        return Scalar(node, type, field, where, at);
    }

    // `at` is the node whose line errors report (the list itself for items split from "a,b"); null: no line.
    private static object? Scalar(YamlNode node, Type type, ConfigField field, string where, YamlNode? at)
    {
        ConfigException Bad() => ConfigValues.Bad(node, field, where, at);
        if (node is not YamlScalarNode { Value: var raw } scalar) throw Bad();
        var text = raw ?? "";
        var plain = scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;
        if (Nullable.GetUnderlyingType(type) is { } inner)
            return plain && text is "" or "~" or "null" ? null : Scalar(node, inner, field, where, at);
        if (type == typeof(string)) return text;
        if (type == typeof(bool))
            return text switch { "true" or "True" => true, "false" or "False" => false, _ => throw Bad() };
        if (type == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Bad();
        if (type == typeof(long))
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : throw Bad();
        if (type == typeof(double) || type == typeof(float))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                throw Bad();
            return type == typeof(float) ? (float)d : d;
        }
        if (type.IsEnum)
        {
            var loose = SnakeCase.Loose(text);
            foreach (var name in Enum.GetNames(type))
                if (SnakeCase.Loose(name) == loose) return Enum.Parse(type, name);
            var hint = SnakeCase.Closest(text, EnumNames(type)) is { } close ? $" Did you mean '{close}'?" : "";
            throw new ConfigException(where, at is null ? null : Line(at), $"'{field.Key}' expects {field.Expected}, got '{text}'.{hint}");
        }
        throw new NotSupportedException(Describe(type));
    }

    private static ConfigException Bad(YamlNode node, ConfigField field, string where, YamlNode? at)
    {
        var shown = node switch
        {
            YamlScalarNode s => $"'{s.Value}'",
            YamlSequenceNode => "a list",
            YamlMappingNode => "a mapping",
            _ => node.NodeType.ToString(),
        };
        return new ConfigException(where, at is null ? null : Line(at), $"'{field.Key}' expects {field.Expected}, got {shown}.");
    }

    /// <summary>The 1-based line of a node parsed from text.</summary>
    internal static int? Line(YamlNode node) => node.Start.Line > 0 ? (int)node.Start.Line : null;

    /// <summary>
    /// A value as YAML flow text that <see cref="Parse"/> reads back to the same value: numbers in
    /// round-trip invariant form, strings double-quoted (JSON escapes are valid YAML), enums in
    /// snake_case, arrays as [a, b].
    /// </summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => Quoted(s),
        bool b => b ? "true" : "false",
        double d => FormatNumber(d),
        float f => FormatNumber(f),
        Enum e => SnakeCase.Of(e.ToString()),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        _ => Quoted(value.ToString() ?? ""),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Quoted(string s) => System.Text.Json.JsonSerializer.Serialize(s, Relaxed);

    private static string FormatNumber(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
        // 1 and 0 stay recognisably floating point: "1.0", as the recipes write widths.
        return text.Contains('.') || text.Contains('e') ? text : text + ".0";
    }
}
