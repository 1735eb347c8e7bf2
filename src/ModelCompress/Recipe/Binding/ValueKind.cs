namespace ModelCompress.Recipe;

/// <summary>The shape a key's value must have, with MC2006's wording and one-line fix for it.</summary>
internal sealed record ValueKind(string Noun, string Fix)
{
    public static ValueKind Number { get; } = new("a number", "Write a plain number such as 0.5.");

    public static ValueKind Integer { get; } = new("a whole number", "Write a whole number such as 128.");

    public static ValueKind Bool { get; } = new("true or false", "Write true or false.");

    public static ValueKind Text { get; } = new("a single value", "Write one value, in quotes if it contains ':' or '#'.");

    public static ValueKind Mapping { get; } = new("a mapping", "Write indented 'key: value' lines, or '{ key: value }'.");

    public static ValueKind List { get; } = new("a list", "Write '[a, b]', or one '- item' per line.");

    public static ValueKind AlphaValue { get; } = new("a number or 'auto'", "Write 'auto' or a number from 0 to 1.");
}
