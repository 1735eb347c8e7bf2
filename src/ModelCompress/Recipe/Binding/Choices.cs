namespace ModelCompress.Recipe;

/// <summary>The YAML spellings of an enum's values, both ways (recipe names are lower_snake_case, not C# names).</summary>
internal sealed class Choices<T>
    where T : struct, Enum
{
    private readonly (string Name, T Value)[] _items;

    public Choices(params (string Name, T Value)[] items) => _items = items;

    public IEnumerable<string> Names => _items.Select(i => i.Name);

    /// <summary>"a, b or c" for messages and docs.</summary>
    public string List => KeySuggester.JoinOr(Names);

    public bool TryParse(string text, out T value)
    {
        foreach (var (name, v) in _items)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }

    public string Name(T value)
    {
        foreach (var (name, v) in _items)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "The value has no recipe spelling.");
    }
}
