using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace US3L.Config;

/// <summary>
/// Applies YAML mappings and <c>key=value</c> strings to a config record, by the same rules:
/// keys are the record's snake_case field names, values are YAML (<c>epochs=2</c>,
/// <c>base_loss=simsiam</c>, <c>fixed_widths=[0.5]</c> or <c>fixed_widths=0.5,1.0</c>).
/// This is how the CLI's <c>--set</c> and the notebooks' ablation grids change one field.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>
    /// <paramref name="config"/> with every key of <paramref name="mapping"/> set;
    /// <paramref name="where"/> names the file in errors, which also carry the line.
    /// </summary>
    public static T Apply<T>(T config, YamlMappingNode mapping, string where) where T : class
    {
        var schema = ConfigSchema.For(config.GetType());
        var values = new List<(ConfigField, object?)>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = KeyText(keyNode, where);
            var field = schema.Get(key, where, ConfigValues.Line(keyNode));
            values.Add((field, ConfigValues.Parse(valueNode, field, where)));
        }
        return schema.With(config, values);
    }

    /// <summary><paramref name="config"/> with each <c>key=value</c> of <paramref name="assignments"/> applied in order.</summary>
    public static T Apply<T>(T config, IEnumerable<string> assignments) where T : class
    {
        var schema = ConfigSchema.For(config.GetType());
        var values = new List<(ConfigField, object?)>();
        foreach (var assignment in assignments)
        {
            var where = $"--set {assignment}";
            var eq = assignment.IndexOf('=');
            if (eq <= 0)
                throw new ConfigException(where, null, "expected key=value, e.g. epochs=2 or base_loss=simsiam.");
            var field = schema.Get(assignment[..eq].Trim(), where, null);
            values.Add((field, ConfigValues.Parse(ParseValue(assignment[(eq + 1)..].Trim(), where), field, where, fromFile: false)));
        }
        return schema.With(config, values);
    }

    /// <summary>The YAML node a value string spells (an empty string is an empty scalar).</summary>
    private static YamlNode ParseValue(string text, string where)
    {
        if (text.Length == 0) return new YamlScalarNode("");
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new ConfigException(where, null, $"the value is not valid YAML ({Problem(e)}).", e);
        }
    }

    internal static string KeyText(YamlNode key, string where) => key is YamlScalarNode { Value: { } text }
        ? text
        : throw new ConfigException(where, ConfigValues.Line(key), "keys must be plain names such as epochs or base_loss.");

    /// <summary>YamlDotNet's message without its own position prefix.</summary>
    internal static string Problem(YamlException e)
    {
        var message = e.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return (close >= 0 && message.StartsWith("(", StringComparison.Ordinal) ? message[(close + 3)..] : message).Trim().TrimEnd('.');
    }
}
