using System.Globalization;

namespace ModelCompress.Recipe;

/// <summary>
/// Converts one node to a typed value, reporting MC2006 (wrong type) or MC2007 (out of range) at the node. Quoted
/// and plain scalars are read alike, so <c>alpha: "0.5"</c> is 0.5; only a plain empty/<c>~</c>/<c>null</c> is null.
/// </summary>
internal static class ScalarReader
{
    public static bool TryText(YNode node, string label, RecipeReport report, out string value)
    {
        if (node is YScalar { IsNull: false } s)
        {
            value = s.Value;
            return true;
        }

        WrongType(node, label, ValueKind.Text, report);
        value = string.Empty;
        return false;
    }

    public static bool TryNumber(YNode node, string label, NumberRange range, RecipeReport report, out double value)
    {
        value = 0;
        if (node is not YScalar { IsNull: false } s || !TryParseNumber(s.Value, out value))
        {
            WrongType(node, label, ValueKind.Number, report);
            return false;
        }

        return InRange(node, label, value, range, "a number", report);
    }

    public static bool TryInteger(YNode node, string label, NumberRange range, RecipeReport report, out int value)
    {
        value = 0;
        if (node is not YScalar { IsNull: false } s
            || !int.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            WrongType(node, label, ValueKind.Integer, report);
            return false;
        }

        return InRange(node, label, value, range, "a whole number", report);
    }

    public static bool TryBool(YNode node, string label, RecipeReport report, out bool value)
    {
        value = false;
        if (node is YScalar { IsNull: false } s)
        {
            // YAML 1.2 core schema booleans only; yes/no/on/off are YAML 1.1 and read as text.
            switch (s.Value)
            {
                case "true" or "True" or "TRUE":
                    value = true;
                    return true;
                case "false" or "False" or "FALSE":
                    return true;
            }
        }

        WrongType(node, label, ValueKind.Bool, report);
        return false;
    }

    public static bool TryChoice<T>(YNode node, string label, Choices<T> choices, RecipeReport report, out T value)
        where T : struct, Enum
    {
        value = default;
        if (!TryText(node, label, report, out var text))
        {
            return false;
        }

        if (choices.TryParse(text, out value))
        {
            return true;
        }

        report.Error("MC2008", node, label, text, KeySuggester.Hint(text, choices.Names.ToList()));
        return false;
    }

    public static void WrongType(YNode node, string label, ValueKind kind, RecipeReport report)
    {
        // A broken node was reported where it broke; its type is not news.
        if (node is not YError)
        {
            report.Error("MC2006", node, label, kind.Noun, node.Describe(), kind.Fix);
        }
    }

    /// <summary>Invariant-culture finite numbers; YAML's <c>.inf</c>/<c>.nan</c> are refused (no setting wants them).</summary>
    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static bool InRange(YNode node, string label, double value, NumberRange range, string noun, RecipeReport report)
    {
        if (range.Contains(value))
        {
            return true;
        }

        report.Error("MC2007", node, label, NumberRange.Format(value), range.Describe(noun));
        return false;
    }
}
