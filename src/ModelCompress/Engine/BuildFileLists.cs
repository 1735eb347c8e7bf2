using System.Text;
using ModelCompress.Data;

namespace ModelCompress.Engine;

/// <summary>
/// The manifest and depfile contract with the MSBuild targets: UTF-8 text (no BOM), one absolute path per line,
/// sorted ordinally, '\n' line ends, each written atomically. The manifest (outputs) is deleted when a run starts and
/// written last on success, so its presence means the outputs are complete; the depfile lists every input read.
/// </summary>
public static class BuildFileLists
{
    /// <summary>The text of a list: distinct absolute paths, sorted ordinally, one per line.</summary>
    public static string Format(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sorted = paths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var p in sorted)
        {
            sb.Append(p).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes the list of <paramref name="paths"/> to <paramref name="listPath"/> atomically.</summary>
    public static void Write(string listPath, IEnumerable<string> paths) => AtomicFile.WriteAllText(listPath, Format(paths));

    /// <summary>Reads a list written by <see cref="Write"/>.</summary>
    public static IReadOnlyList<string> Read(string listPath) =>
        File.ReadAllText(listPath, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
