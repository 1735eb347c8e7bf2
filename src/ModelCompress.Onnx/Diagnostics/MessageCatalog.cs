using System.Globalization;
using System.Reflection;
using System.Resources;

namespace ModelCompress.Onnx.Diagnostics;

/// <summary>
/// Looks up coded message texts in an assembly's <c>Resources/Messages.resx</c> (entries are named by code and their
/// text starts with <c>"MCnnnn: "</c>, as the SDK does with NETSDKnnnn). Each assembly that raises diagnostics has
/// its own catalog over its own resource; <c>docs/diagnostics.md</c> lists them all and a test keeps both in step.
/// </summary>
public sealed class MessageCatalog
{
    private readonly ResourceManager _resources;

    /// <summary>Creates a catalog over <paramref name="baseName"/> in <paramref name="assembly"/>.</summary>
    public MessageCatalog(string baseName, Assembly assembly) => _resources = new ResourceManager(baseName, assembly);

    /// <summary>The catalog of MC1xxx (model I/O) messages.</summary>
    public static MessageCatalog Onnx { get; } = new("ModelCompress.Onnx.Resources.Messages", typeof(MessageCatalog).Assembly);

    /// <summary>Every code in this catalog with its raw template.</summary>
    public IReadOnlyDictionary<string, string> All()
    {
        var set = _resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)
            ?? throw new InvalidOperationException("MC9001: message resource missing.");
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in set)
        {
            result[(string)e.Key] = (string)e.Value!;
        }

        return result;
    }

    /// <summary>Builds a diagnostic for <paramref name="code"/> with its template filled from <paramref name="args"/>.</summary>
    public Diagnostic Create(string code, DiagnosticSeverity severity, string? file, int line, int column, params object?[] args)
    {
        var template = _resources.GetString(code, CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"MC9001: no message text for code '{code}'.");
        var prefix = code + ": ";
        if (!template.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"MC9001: message for '{code}' must start with '{prefix}'.");
        }

        var text = string.Format(CultureInfo.InvariantCulture, template[prefix.Length..], args);
        return new Diagnostic(code, severity, text, file, line, column);
    }

    /// <summary>Builds an error diagnostic without a location.</summary>
    public Diagnostic Error(string code, params object?[] args) => Create(code, DiagnosticSeverity.Error, null, 0, 0, args);

    /// <summary>Builds a fatal exception for <paramref name="code"/> about <paramref name="file"/>.</summary>
    public ModelCompressException Exception(string code, string? file, params object?[] args) =>
        new(Create(code, DiagnosticSeverity.Error, file, 0, 0, args));
}
