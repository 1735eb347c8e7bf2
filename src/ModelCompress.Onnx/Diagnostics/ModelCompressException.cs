namespace ModelCompress.Onnx.Diagnostics;

/// <summary>
/// A fatal, anticipated failure with a code (<c>MCnnnn</c>). The CLI prints it as one line without a stack trace;
/// the build task logs it as an MSBuild error with the same code, file and line.
/// </summary>
public class ModelCompressException : Exception
{
    /// <summary>Creates an exception from a diagnostic.</summary>
    public ModelCompressException(Diagnostic diagnostic, Exception? inner = null)
        : base(diagnostic?.Message, inner)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        Diagnostic = diagnostic;
    }

    /// <summary>The coded diagnostic this exception carries.</summary>
    public Diagnostic Diagnostic { get; }

    /// <summary>The code, e.g. <c>MC1002</c>.</summary>
    public string Code => Diagnostic.Code;

    /// <inheritdoc />
    public override string ToString() => Diagnostic.ToCanonicalString();
}
