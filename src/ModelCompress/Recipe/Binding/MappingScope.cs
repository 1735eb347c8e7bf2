
namespace ModelCompress.Recipe;

/// <summary>
/// One mapping of the recipe being bound: reports its unknown keys (MC2004, with the closest known key) as soon as
/// it is opened, then hands out typed values by key. Getters return null when the key is missing or its value was
/// wrong (already reported), so a caller can fall back to the default and keep checking the rest of the file.
/// </summary>
internal sealed class MappingScope
{
    private readonly RecipeReport _report;

    /// <summary>Known keys that an unknown key was reported as a likely misspelling of.</summary>
    private readonly HashSet<string> _misspelled = new(StringComparer.Ordinal);

    public MappingScope(YMapping node, string context, IReadOnlyCollection<string> known, RecipeReport report)
    {
        Node = node;
        Context = context;
        _report = report;
        foreach (var (key, _) in node.Entries)
        {
            if (!known.Contains(key.Value))
            {
                report.Error("MC2004", key, key.Value, context, KeySuggester.Hint(key.Value, known, "Known keys are"));
                if (KeySuggester.Closest(key.Value, known) is { } meant)
                {
                    _misspelled.Add(meant);
                }
            }
        }
    }

    /// <summary>Words for messages: "'quantize' of model 'encoder'".</summary>
    public string Context { get; }

    public YMapping Node { get; }

    public bool Has(string key) => Node.Find(key) is not null;

    public YScalar? KeyOf(string key) => Node.Find(key)?.Key;

    public YNode? ValueOf(string key) => Node.Find(key)?.Value;

    /// <summary>
    /// Reports MC2005 at the mapping when <paramref name="key"/> is missing, unless MC2004 already said that an
    /// unknown key here is probably it misspelled ("naem: x" gets one error, not two).
    /// </summary>
    public bool Require(string key, string example)
    {
        if (Has(key))
        {
            return true;
        }

        if (!_misspelled.Contains(key))
        {
            _report.Error("MC2005", Node, key, Context, example);
        }

        return false;
    }

    /// <summary>Reports MC2017 at the key when it is present although it has no meaning here.</summary>
    public void NotApplicable(string key, string why)
    {
        if (KeyOf(key) is { } k)
        {
            _report.Error("MC2017", k, key, why);
        }
    }

    public string? Text(string key) =>
        ValueOf(key) is { } v && ScalarReader.TryText(v, key, _report, out var s) ? s : null;

    public double? Number(string key, NumberRange range) =>
        ValueOf(key) is { } v && ScalarReader.TryNumber(v, key, range, _report, out var d) ? d : null;

    public int? Integer(string key, NumberRange range) =>
        ValueOf(key) is { } v && ScalarReader.TryInteger(v, key, range, _report, out var i) ? i : null;

    public bool? Bool(string key) =>
        ValueOf(key) is { } v && ScalarReader.TryBool(v, key, _report, out var b) ? b : null;

    public T? Choice<T>(string key, Choices<T> choices)
        where T : struct, Enum =>
        ValueOf(key) is { } v && ScalarReader.TryChoice(v, key, choices, _report, out var c) ? c : null;

    public YMapping? Mapping(string key) => As<YMapping>(key, ValueKind.Mapping);

    public YSequence? List(string key) => As<YSequence>(key, ValueKind.List);

    private T? As<T>(string key, ValueKind kind)
        where T : YNode
    {
        var v = ValueOf(key);
        if (v is null or T)
        {
            return v as T;
        }

        ScalarReader.WrongType(v, key, kind, _report);
        return null;
    }
}
