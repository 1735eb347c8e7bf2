namespace ModelCompress.Recipe;

/// <summary>
/// Stands in for a node that was already reported as broken (an alias to no anchor), so the binder can skip it
/// silently instead of adding a second, misleading error about its type.
/// </summary>
internal sealed class YError(int line, int column) : YNode(line, column)
{
    /// <inheritdoc />
    public override string Describe() => "an invalid value";
}
