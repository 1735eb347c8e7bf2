namespace ModelCompress.Recipe;

/// <summary>A scalar (plain or quoted text). Typing (number, bool, null) is the binder's job, per key.</summary>
internal sealed class YScalar : YNode
{
    public YScalar(string value, bool isPlain, int line, int column)
        : base(line, column)
    {
        Value = value;
        IsPlain = isPlain;
    }

    /// <summary>The text as YAML delivers it (quotes removed, escapes applied).</summary>
    public string Value { get; }

    /// <summary>Whether it was written without quotes; only plain scalars can mean null.</summary>
    public bool IsPlain { get; }

    /// <summary>YAML 1.2 core schema null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <inheritdoc />
    public override string Describe() => IsNull ? "an empty value" : $"'{Value}'";
}
