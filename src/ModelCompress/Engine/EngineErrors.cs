using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Engine;

/// <summary>
/// The message catalog of this assembly (<c>Resources/Messages.resx</c>): MC3xxx calibration/data/quantization and
/// MC5xxx verification codes raised by the engine and its passes.
/// </summary>
public static class EngineErrors
{
    /// <summary>The catalog over <c>ModelCompress.Resources.Messages</c> (the same one as <see cref="EngineMessages.Engine"/>).</summary>
    public static MessageCatalog Catalog => EngineMessages.Engine;

    /// <summary>A fatal coded error about <paramref name="file"/>.</summary>
    internal static ModelCompressException Fail(string code, string? file, params object?[] args) =>
        Catalog.Exception(code, file, args);

    /// <summary>A fatal coded error located at a recipe line and column.</summary>
    internal static ModelCompressException FailAt(string code, string? file, int line, int column, params object?[] args) =>
        new(Catalog.Create(code, DiagnosticSeverity.Error, file, line, column, args));
}
