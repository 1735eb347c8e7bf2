using System.Text.RegularExpressions;

namespace ModelCompress.Recipe;

/// <summary>
/// One <c>exclude:</c> entry: a node name, <c>op:&lt;OpType&gt;</c>, or <c>re:&lt;regex&gt;</c>. Nodes it matches are
/// left alone by the step.
/// </summary>
public sealed class ExcludePattern
{
    /// <summary>How long one regex match may take; recipes are input, so a bad pattern must not hang a build.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex? _regex;

    /// <summary>Creates a pattern; a <see cref="ExcludeKind.Regex"/> value must be a valid .NET regular expression.</summary>
    public ExcludePattern(ExcludeKind kind, string value, SourceLocation location)
    {
        ArgumentNullException.ThrowIfNull(value);
        Kind = kind;
        Value = value;
        Location = location;
        _regex = kind == ExcludeKind.Regex ? new Regex(value, RegexOptions.CultureInvariant, MatchTimeout) : null;
    }

    /// <summary>What the entry matches.</summary>
    public ExcludeKind Kind { get; }

    /// <summary>The name, op type or regex, without its prefix.</summary>
    public string Value { get; }

    /// <summary>Where the entry was written.</summary>
    public SourceLocation Location { get; }

    /// <summary>Whether the node <paramref name="nodeName"/> of type <paramref name="opType"/> is excluded.</summary>
    public bool Matches(string nodeName, string opType) => Kind switch
    {
        ExcludeKind.Name => string.Equals(nodeName, Value, StringComparison.Ordinal),
        ExcludeKind.OpType => string.Equals(opType, Value, StringComparison.Ordinal),
        _ => _regex!.IsMatch(nodeName),
    };

    /// <summary>The canonical written form: <c>name:...</c>, <c>op:...</c> or <c>re:...</c>.</summary>
    public override string ToString() => Kind switch
    {
        ExcludeKind.Name => "name:" + Value,
        ExcludeKind.OpType => "op:" + Value,
        _ => "re:" + Value,
    };
}
