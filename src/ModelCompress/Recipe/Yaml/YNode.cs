namespace ModelCompress.Recipe;

/// <summary>
/// A node of the recipe's YAML tree with the 1-based line and column where it starts. We keep our own small tree,
/// built from YamlDotNet's parser events, rather than <c>YamlStream</c>'s representation model: that model stops at
/// the first duplicate key with an exception, and the recipe loader must report every error in the file.
/// </summary>
internal abstract class YNode
{
    protected YNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the node's first character.</summary>
    public int Line { get; }

    /// <summary>1-based column of the node's first character.</summary>
    public int Column { get; }

    /// <summary>How the node reads in an error message ("a list", "'abc'").</summary>
    public abstract string Describe();
}
