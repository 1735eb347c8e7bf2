namespace ModelCompress.Recipe;

/// <summary>A YAML sequence (block <c>- item</c> or flow <c>[a, b]</c>).</summary>
internal sealed class YSequence : YNode
{
    public YSequence(IReadOnlyList<YNode> items, int line, int column)
        : base(line, column) => Items = items;

    /// <summary>The items in order.</summary>
    public IReadOnlyList<YNode> Items { get; }

    /// <inheritdoc />
    public override string Describe() => "a list";
}
