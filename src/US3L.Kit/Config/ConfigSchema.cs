using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace US3L.Config;

/// <summary>One settable field of a config record: its snake_case key, property and type.</summary>
public sealed record ConfigField(string Key, PropertyInfo Property)
{
    public Type Type => Property.PropertyType;

    /// <summary>What the field accepts, for error messages ("a number", "one of byol, simsiam, ...").</summary>
    public string Expected => ConfigValues.Describe(Type);
}

/// <summary>
/// The fields of a config record, found by reflection over its public init-only properties in
/// declaration order, so a field added to the record is a valid YAML key without further code.
/// </summary>
public sealed class ConfigSchema
{
    private static readonly Dictionary<Type, ConfigSchema> Cache = new();
    private readonly Dictionary<string, ConfigField> byKey;

    private ConfigSchema(Type recordType)
    {
        RecordType = recordType;
        Fields = recordType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(IsInitOnly)
            .OrderBy(p => p.MetadataToken)
            .Select(p => new ConfigField(SnakeCase.Of(p.Name), p))
            .ToArray();
        foreach (var f in Fields) ConfigValues.Describe(f.Type); // every field type must be supported
        byKey = Fields.ToDictionary(f => f.Key, StringComparer.Ordinal);
    }

    /// <summary>The schema of <typeparamref name="T"/>.</summary>
    public static ConfigSchema For<T>() => For(typeof(T));

    public static ConfigSchema For(Type recordType)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(recordType, out var schema)) Cache[recordType] = schema = new ConfigSchema(recordType);
            return schema;
        }
    }

    public Type RecordType { get; }

    /// <summary>Every field, in declaration order.</summary>
    public IReadOnlyList<ConfigField> Fields { get; }

    public IEnumerable<string> Keys => Fields.Select(f => f.Key);

    public bool TryGet(string key, out ConfigField field) => byKey.TryGetValue(key, out field!);

    /// <summary>
    /// The field called <paramref name="key"/>; an unknown key is an error that suggests the closest
    /// valid key and lists them all.
    /// </summary>
    public ConfigField Get(string key, string where, int? line)
    {
        if (TryGet(key, out var field)) return field;
        var hint = SnakeCase.Closest(key, Keys) is { } close ? $" Did you mean '{close}'?" : "";
        throw new ConfigException(where, line, $"unknown key '{key}'.{hint} Valid keys: {string.Join(", ", Keys)}.");
    }

    /// <summary>A copy of <paramref name="config"/> with the given fields replaced.</summary>
    public T With<T>(T config, IEnumerable<(ConfigField Field, object? Value)> values) where T : class
    {
        var copy = Clone(config);
        foreach (var (field, value) in values) field.Property.SetValue(copy, value);
        return copy;
    }

    /// <summary>The keys whose values differ between two configs (arrays compared element by element).</summary>
    public IReadOnlyList<string> Differences(object a, object b) =>
        Fields.Where(f => !ValueEquals(f.Property.GetValue(a), f.Property.GetValue(b))).Select(f => f.Key).ToArray();

    /// <summary>Field-by-field equality, arrays compared by content (records compare arrays by reference).</summary>
    public bool Same(object a, object b) => Differences(a, b).Count == 0;

    private static bool ValueEquals(object? x, object? y)
    {
        if (x is IEnumerable xs and not string && y is IEnumerable ys and not string)
            return xs.Cast<object?>().SequenceEqual(ys.Cast<object?>());
        return Equals(x, y);
    }

    private static T Clone<T>(T config) where T : class
    {
        // A record's compiler-generated copy method: what `config with { }` calls.
        var clone = config.GetType().GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{config.GetType().Name} is not a record; configs must be records.");
        return (T)clone.Invoke(config, null)!;
    }

    private static bool IsInitOnly(PropertyInfo p) =>
        p.SetMethod is { IsPublic: true } set && p.GetIndexParameters().Length == 0 &&
        set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
}
