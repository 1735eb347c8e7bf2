using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Diagnostics;

/// <summary>
/// The engine's one message catalog (<c>Resources/Messages.resx</c>: MC2xxx recipe, MC3xxx calibration, data and
/// quantization, MC4xxx pruning and distillation, MC5xxx verification, MC6xxx cache) and the helpers every part of
/// the engine uses to raise or report its codes.
/// </summary>
public static class EngineDiagnostics
{
    /// <summary>The catalog over this assembly's message resource.</summary>
    public static MessageCatalog Catalog { get; } = new("ModelCompress.Resources.Messages", typeof(EngineDiagnostics).Assembly);

    /// <summary>A fatal coded error about <paramref name="file"/> (null when it is about no file).</summary>
    public static ModelCompressException Fail(string code, string? file, params object?[] args) => Catalog.Exception(code, file, args);

    /// <summary>A fatal coded error about <paramref name="file"/> caused by <paramref name="inner"/>.</summary>
    public static ModelCompressException Fail(string code, string? file, Exception inner, params object?[] args) =>
        new(Catalog.Create(code, DiagnosticSeverity.Error, file, 0, 0, args), inner);

    /// <summary>A fatal coded error located at a recipe line and column.</summary>
    public static ModelCompressException FailAt(string code, string? file, int line, int column, params object?[] args) =>
        new(Catalog.Create(code, DiagnosticSeverity.Error, file, line, column, args));

    /// <summary>A non-fatal coded diagnostic about <paramref name="file"/>.</summary>
    public static Diagnostic Create(string code, DiagnosticSeverity severity, string? file, params object?[] args) =>
        Catalog.Create(code, severity, file, 0, 0, args);

    /// <summary>Whether <paramref name="e"/> is a file-system failure that becomes MC3501.</summary>
    public static bool IsFileError(Exception e) => e is IOException or UnauthorizedAccessException or NotSupportedException;

    /// <summary>MC3501 for a file that could not be read.</summary>
    public static ModelCompressException Unreadable(string path, Exception inner) =>
        Fail("MC3501", path, inner, path, inner.Message.EndsWith('.') ? inner.Message : inner.Message + ".");
}
