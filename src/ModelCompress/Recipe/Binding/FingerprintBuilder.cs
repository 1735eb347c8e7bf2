using System.Globalization;
using System.Text;

namespace ModelCompress.Recipe;

/// <summary>
/// Builds a step's canonical settings string: <c>kind/v1{key=value;...}</c> with keys in ordinal order, strings
/// quoted and escaped, numbers in shortest round-trip invariant form, and set-like lists sorted and de-duplicated.
/// The same settings always give the same string, whatever the key order or spelling in the recipe.
/// </summary>
internal sealed class FingerprintBuilder(string kind)
{
    /// <summary>Bumped when the meaning of a step's settings changes, so old cache entries stop matching.</summary>
    public const int SchemaVersion = 1;

    private readonly SortedDictionary<string, string> _fields = new(StringComparer.Ordinal);

    public FingerprintBuilder Add(string key, string? value)
    {
        _fields[key] = value is null ? "null" : Quote(value);
        return this;
    }

    public FingerprintBuilder Add(string key, double value)
    {
        // Negative zero and zero mean the same setting.
        var v = value == 0 ? 0d : value;
        _fields[key] = v.ToString("R", CultureInfo.InvariantCulture);
        return this;
    }

    public FingerprintBuilder Add(string key, double? value) => value is { } v ? Add(key, v) : AddRaw(key, "null");

    public FingerprintBuilder Add(string key, int value) => AddRaw(key, value.ToString(CultureInfo.InvariantCulture));

    public FingerprintBuilder Add(string key, int? value) =>
        AddRaw(key, value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null");

    public FingerprintBuilder Add(string key, bool value) => AddRaw(key, value ? "true" : "false");

    /// <summary>Adds a list whose order does not matter (exclusions): sorted and de-duplicated.</summary>
    public FingerprintBuilder AddSet(string key, IEnumerable<string> values)
    {
        var items = values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(Quote);
        return AddRaw(key, "[" + string.Join(",", items) + "]");
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(kind).Append("/v").Append(SchemaVersion.ToString(CultureInfo.InvariantCulture)).Append('{');
        var first = true;
        foreach (var (k, v) in _fields)
        {
            if (!first)
            {
                sb.Append(';');
            }

            first = false;
            sb.Append(k).Append('=').Append(v);
        }

        return sb.Append('}').ToString();
    }

    private FingerprintBuilder AddRaw(string key, string raw)
    {
        _fields[key] = raw;
        return this;
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
