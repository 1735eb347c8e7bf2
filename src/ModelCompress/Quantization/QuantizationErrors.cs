using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Quantization;

/// <summary>Coded MC31xx–MC34xx diagnostics of calibration, SmoothQuant and quantization (texts in <c>Resources/Messages.resx</c>).</summary>
internal static class QuantizationErrors
{
    private static readonly MessageCatalog Catalog = new("ModelCompress.Resources.Messages", typeof(QuantizationErrors).Assembly);

    /// <summary>A fatal coded error about <paramref name="file"/> (null when it is about no file).</summary>
    public static ModelCompressException Fail(string code, string? file, params object?[] args) => Catalog.Exception(code, file, args);

    /// <summary>A fatal coded error wrapping the exception that caused it.</summary>
    public static ModelCompressException Fail(string code, string? file, Exception inner, params object?[] args) =>
        new(Catalog.Create(code, DiagnosticSeverity.Error, file, 0, 0, args), inner);

    /// <summary>A non-fatal coded diagnostic.</summary>
    public static Diagnostic Create(string code, DiagnosticSeverity severity, string? file, params object?[] args) =>
        Catalog.Create(code, severity, file, 0, 0, args);
}
