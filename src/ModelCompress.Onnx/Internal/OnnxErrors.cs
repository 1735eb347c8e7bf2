using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Onnx.Internal;

/// <summary>Short-hands for the MC1xxx exceptions this assembly throws (texts live in Resources/Messages.resx).</summary>
internal static class OnnxErrors
{
    public static ModelCompressException Create(string code, string? file, params object?[] args) =>
        MessageCatalog.Onnx.Exception(code, file, args);

    public static ModelCompressException Create(string code, string? file, Exception inner, params object?[] args) =>
        new(MessageCatalog.Onnx.Create(code, DiagnosticSeverity.Error, file, 0, 0, args), inner);

    public static string FormatDims(IEnumerable<long> dims) =>
        string.Join(",", dims.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
