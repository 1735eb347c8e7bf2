using System.Globalization;
using System.Text;
using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>
/// Turns a per-layer ranking into the part of an MC5001 message that says which layers caused the breach and which
/// recipe line keeps them in float, e.g. <c>Worst int8 layers by SNR: A (18.2 dB), B (25.1 dB). Keep the worst in
/// float with exclude: ["A"] in the quantize step (line 7); ...</c>.
/// </summary>
public static class GateAttribution
{
    /// <summary>How many layers a breach names.</summary>
    public const int NamedLayers = 3;

    /// <summary>The measured layers still in int8, worst first, leaving out <paramref name="inFloat"/>.</summary>
    public static IReadOnlyList<LayerError> Culprits(IReadOnlyList<LayerError> ranking, IEnumerable<string>? inFloat = null)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        var skip = new HashSet<string>(inFloat ?? [], StringComparer.Ordinal);
        return [.. ranking.Where(l => l.SnrDb is not null && !skip.Contains(l.Name))];
    }

    /// <summary>
    /// The text appended to MC5001 (starting with a space), or an empty string when no layer was measured.
    /// </summary>
    /// <param name="ranking">Per-layer errors, worst first.</param>
    /// <param name="quantize">The model's quantize step, whose <c>exclude:</c> the fix extends; null when there is none.</param>
    /// <param name="inFloat">Layers a fallback already keeps in float (named in the suggested list, not as culprits).</param>
    public static string Describe(IReadOnlyList<LayerError> ranking, QuantizeStep? quantize, IReadOnlyList<string>? inFloat = null)
    {
        var culprits = Culprits(ranking, inFloat);
        if (culprits.Count == 0)
        {
            return string.Empty;
        }

        var named = culprits.Take(NamedLayers).ToList();
        var sb = new StringBuilder(" Worst int8 layers by SNR: ");
        sb.AppendJoin(", ", named.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Name} ({FormatDb(l.SnrDb!.Value)})")));
        sb.Append('.');
        if (quantize is null)
        {
            return sb.ToString();
        }

        var names = (inFloat ?? []).Append(named[0].Name).ToList();
        sb.Append(" Keep ").Append(inFloat is { Count: > 0 } ? "them and the worst" : "the worst").Append(" in float with exclude: ")
            .Append(ExcludeList(quantize, names))
            .Append(CultureInfo.InvariantCulture, $" in the quantize step (line {quantize.Location.Line})");
        sb.Append(named.Count > 1 ? ", adding the next ones in this order if needed," : string.Empty);
        // After a fallback the search itself stopped short: the way on is a larger budget, not turning it on.
        sb.Append(inFloat is { Count: > 0 }
            ? " or raise max_fallback_layers to let the fallback search further."
            : " or set on_regression: fallback to search automatically.");
        return sb.ToString();
    }

    /// <summary>
    /// The recipe's <c>exclude:</c> list with <paramref name="names"/> added, in YAML flow form:
    /// <c>["op:Gather", "/blocks.5/mlp/fc2/MatMul"]</c>.
    /// </summary>
    public static string ExcludeList(QuantizeStep? quantize, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var existing = quantize?.Exclude.Select(e => e.Kind == ExcludeKind.Name ? e.Value : e.ToString()) ?? [];
        return "[" + string.Join(", ", existing.Concat(names).Distinct(StringComparer.Ordinal).Select(Quote)) + "]";
    }

    /// <summary>A dB value for messages: one decimal, "inf" when the layer is exact.</summary>
    public static string FormatDb(double db) =>
        double.IsPositiveInfinity(db) ? "inf dB" : db.ToString("0.0", CultureInfo.InvariantCulture) + " dB";

    // A YAML double-quoted scalar: backslash and quote are the only characters node names need escaped.
    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
