using ModelCompress.Diagnostics;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Recipe;

/// <summary>
/// Reads <c>compression.yaml</c> into a validated <see cref="Recipe"/>. Every problem is reported to the sink as a
/// coded MC2xxx diagnostic at <c>file(line,col)</c>, all of them in one pass; the result is null when any was an error.
/// </summary>
public static class RecipeLoader
{
    /// <summary>The conventional recipe file name.</summary>
    public const string DefaultFileName = "compression.yaml";

    /// <summary>Loads the recipe at <paramref name="path"/>; null (with errors in <paramref name="sink"/>) when invalid.</summary>
    public static Recipe? Load(string path, RecipeLoadOptions options, IDiagnosticSink sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(sink);
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            sink.Report(EngineDiagnostics.Catalog.Create("MC2001", DiagnosticSeverity.Error, full, 0, 0, full));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder, a locked file or missing permissions: still a coded, one-line error rather than a crash.
            sink.Report(EngineDiagnostics.Catalog.Create("MC2037", DiagnosticSeverity.Error, full, 0, 0, full, ex.Message.TrimEnd('.')));
            return null;
        }

        return LoadFromText(text, full, options, sink);
    }

    /// <summary>
    /// Loads recipe <paramref name="text"/> as if read from <paramref name="path"/>, which anchors relative paths and
    /// names the file in diagnostics (the file itself need not exist).
    /// </summary>
    public static Recipe? LoadFromText(string text, string path, RecipeLoadOptions options, IDiagnosticSink sink)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var full = Path.GetFullPath(path);
        var report = new RecipeReport(full, sink);
        var root = YamlTreeReader.Read(text, report, out var malformed);
        return malformed ? null : new RecipeBinder(full, options, report).Bind(root);
    }
}
