namespace ModelCompress.Recipe;

/// <summary>What an <c>exclude:</c> entry matches.</summary>
public enum ExcludeKind
{
    /// <summary>A node name, exactly.</summary>
    Name,

    /// <summary>An ONNX op type, exactly (written <c>op:MatMul</c>).</summary>
    OpType,

    /// <summary>A .NET regular expression searched in node names (written <c>re:...</c>).</summary>
    Regex,
}
