namespace ModelCompress.Recipe;

/// <summary>
/// Where a recipe element was written: the recipe file and the 1-based line and column of the element's first
/// character. Later stages (calibration, the accuracy gate) use it to point their diagnostics at the recipe line.
/// </summary>
/// <param name="File">The recipe file's full path.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>The MSBuild form <c>file(line,col)</c>.</summary>
    public override string ToString() => $"{File}({Line},{Column})";
}
