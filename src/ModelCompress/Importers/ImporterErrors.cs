using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Importers;

/// <summary>Builds the coded MC35xx exceptions of the importers and of text generation.</summary>
internal static class ImporterErrors
{
    /// <summary>A fatal error <paramref name="code"/> about <paramref name="file"/>.</summary>
    public static ModelCompressException Create(string code, string? file, params object?[] args) =>
        new(EngineMessages.Engine.Create(code, DiagnosticSeverity.Error, file, 0, 0, args));

    /// <summary>A fatal error <paramref name="code"/> about <paramref name="file"/>, caused by <paramref name="inner"/>.</summary>
    public static ModelCompressException Wrap(Exception inner, string code, string? file, params object?[] args) =>
        new(EngineMessages.Engine.Create(code, DiagnosticSeverity.Error, file, 0, 0, args), inner);

    /// <summary>Whether <paramref name="e"/> is a file-system failure that becomes MC3501.</summary>
    public static bool IsFileError(Exception e) => e is IOException or UnauthorizedAccessException or NotSupportedException;

    /// <summary>MC3501 for a file that could not be read.</summary>
    public static ModelCompressException Unreadable(string path, Exception inner) =>
        Wrap(inner, "MC3501", path, path, EnsurePeriod(inner.Message));

    private static string EnsurePeriod(string text) =>
        text.EndsWith('.') ? text : text + ".";
}
