
namespace ModelCompress.Recipe;

/// <summary>Path rules: relative to the recipe's folder, inside the project unless allowed, and existing.</summary>
internal sealed partial class RecipeBinder
{
    /// <summary>
    /// Resolves a path value to a full path. Returns the recipe text (normalized to '/') when the value is usable,
    /// null after reporting MC2006/MC2034/MC2013/MC2029/MC2014. <paramref name="fullPath"/> is set whenever the text
    /// could be resolved, even if the file is missing, so callers can still infer a format from its name.
    /// </summary>
    private string? ResolvePath(YNode node, string label, PathUse use, out string? fullPath)
    {
        fullPath = null;
        if (!ScalarReader.TryText(node, label, _report, out var raw))
        {
            return null;
        }

        // Recipes are shared between Windows and Unix machines: accept either separator.
        var text = raw.Replace('\\', '/').Trim();
        if (text.Length == 0)
        {
            _report.Error("MC2034", node, raw, "it is empty");
            return null;
        }

        if (text.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            _report.Error("MC2034", node, raw, "it contains a character that no path may hold");
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(_recipeDirectory, text));
        fullPath = full;
        if (!_allowOutside && !IsInside(_projectDirectory, full))
        {
            _report.Error("MC2013", node, raw, full, _projectDirectory);
            return null;
        }

        if (use == PathUse.Model && !full.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            _report.Error("MC2029", node, label, raw);
            return null;
        }

        if (use != PathUse.OutputFolder && _options.CheckFilesExist && !File.Exists(full))
        {
            _report.Error("MC2014", node, raw, full);
            return null;
        }

        return text;
    }

    /// <summary>Resolves a required path key of <paramref name="scope"/>; null when missing or bad (reported).</summary>
    private string? RequiredPath(MappingScope scope, string key, PathUse use, string example, out string? raw)
    {
        raw = null;
        if (!scope.Require(key, example))
        {
            return null;
        }

        raw = ResolvePath(scope.ValueOf(key)!, key, use, out var full);
        return raw is null ? null : full;
    }

    private static bool IsInside(string folder, string path)
    {
        var rel = Path.GetRelativePath(folder, path);
        if (Path.IsPathRooted(rel))
        {
            // Another drive or root: GetRelativePath had no relative form.
            return false;
        }

        return rel != ".." && !rel.StartsWith("../", StringComparison.Ordinal)
            && !rel.StartsWith("..\\", StringComparison.Ordinal);
    }
}
