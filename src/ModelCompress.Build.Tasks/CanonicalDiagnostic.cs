using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelCompress.Build.Tasks;

/// <summary>
/// One line of tool output in MSBuild's canonical error format
/// (<c>origin(line,col): error MC2003: text</c>), parsed so that the task can log it with its code, file and
/// position instead of as plain text. The tool prints this form on stderr, as compilers do, which is why the build
/// can point at the exact recipe line.
/// </summary>
internal sealed partial record CanonicalDiagnostic(
    bool IsError,
    string Code,
    string Message,
    string? File,
    int Line,
    int Column,
    int EndLine,
    int EndColumn)
{
    // origin (optional, may hold a Windows drive colon) + optional (location) + ':' + category + code + ':' + text.
    // The origin is matched lazily so the first ": error CODE:" / ": warning CODE:" ends it.
    private const string Pattern =
        @"^\s*(?:(?<origin>.*?)(?:\((?<location>[0-9 ,\-]+)\))?\s*:\s+)?(?<category>error|warning)\s+(?<code>[A-Za-z]+[0-9]+)\s*:\s*(?<text>.*?)\s*$";

    private const RegexOptions PatternOptions = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture;

#if NET
    [GeneratedRegex(Pattern, PatternOptions)]
    private static partial Regex LinePattern();
#else
    // .NET Framework (MSBuild in Visual Studio) has no regex source generator.
    private static readonly Regex CompiledPattern = new(Pattern, PatternOptions);

    private static Regex LinePattern() => CompiledPattern;
#endif

    /// <summary>Parses <paramref name="line"/>; false when it is not a coded error or warning.</summary>
    public static bool TryParse(string line, out CanonicalDiagnostic? diagnostic)
    {
        diagnostic = null;
        if (string.IsNullOrWhiteSpace(line))
        {
            return false;
        }

        var match = LinePattern().Match(line);
        if (!match.Success)
        {
            return false;
        }

        var origin = match.Groups["origin"].Success ? match.Groups["origin"].Value.Trim() : null;
        var location = match.Groups["location"];
        if (!TryParseLocation(location.Success ? location.Value : null, out var position))
        {
            // Not a location after all (e.g. "(1,2,3)"): it is part of the origin, as MSBuild would read it.
            origin += "(" + location.Value + ")";
            position = new int[4];
        }

        diagnostic = new CanonicalDiagnostic(
            string.Equals(match.Groups["category"].Value, "error", StringComparison.OrdinalIgnoreCase),
            match.Groups["code"].Value.ToUpperInvariant(),
            match.Groups["text"].Value,
            string.IsNullOrEmpty(origin) ? null : origin,
            position[0],
            position[1],
            position[2],
            position[3]);
        return true;
    }

    // Canonical locations: (l), (l-el), (l,c), (l,c-ec), (l,c,el,ec). Returns line, column, endLine, endColumn.
    private static bool TryParseLocation(string? text, out int[] position)
    {
        position = new int[4];
        if (text is null)
        {
            return true;
        }

        var parts = SplitTrimmed(text, ',');
        if (parts.Length is not (1 or 2 or 4))
        {
            return false;
        }

        if (parts.Length == 4)
        {
            for (var i = 0; i < 4; i++)
            {
                if (!TryNumber(parts[i], out position[i]))
                {
                    return false;
                }
            }

            return true;
        }

        // (l) / (l-el) / (l,c) / (l,c-ec): a dash gives the end of the last number's axis.
        for (var i = 0; i < parts.Length; i++)
        {
            var range = SplitTrimmed(parts[i], '-');
            if (range.Length > 2 || !TryNumber(range[0], out position[i]))
            {
                return false;
            }

            if (range.Length == 2 && !TryNumber(range[1], out position[i + 2]))
            {
                return false;
            }
        }

        return true;
    }

    // StringSplitOptions.TrimEntries does not exist on .NET Framework.
    private static string[] SplitTrimmed(string text, char separator) => [.. text.Split(separator).Select(p => p.Trim())];

    private static bool TryNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
