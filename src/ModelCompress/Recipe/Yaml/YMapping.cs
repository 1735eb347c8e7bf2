namespace ModelCompress.Recipe;

/// <summary>A YAML mapping whose keys are scalars, in file order, with duplicates already removed (and reported).</summary>
internal sealed class YMapping : YNode
{
    public YMapping(IReadOnlyList<KeyValuePair<YScalar, YNode>> entries, int line, int column)
        : base(line, column) => Entries = entries;

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; }

    /// <summary>The entry named <paramref name="key"/>, if present.</summary>
    public KeyValuePair<YScalar, YNode>? Find(string key)
    {
        foreach (var e in Entries)
        {
            if (string.Equals(e.Key.Value, key, StringComparison.Ordinal))
            {
                return e;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string Describe() => "a mapping";
}
