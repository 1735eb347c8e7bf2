namespace ModelCompress.Recipe;

/// <summary>"Did you mean ...?" for unknown keys and values: the closest known word by edit distance.</summary>
internal static class KeySuggester
{
    /// <summary>The closest candidate to <paramref name="typed"/>, or null when none is plausibly a typo of it.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var t = typed.ToLowerInvariant();
        foreach (var c in candidates)
        {
            var d = Distance(t, c.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }

        // Allow roughly one edit per three characters (at least two), so "alpa" finds "alpha" but "foo" finds nothing.
        var allowed = Math.Max(2, typed.Length / 3);
        if (best is not null && bestDistance <= allowed)
        {
            return best;
        }

        // An abbreviation ("top1" for "top1_agreement") is far by edits but unambiguous by prefix.
        var prefixed = typed.Length >= 3
            ? candidates.Where(c => c.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).Take(2).ToList()
            : [];
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    /// <summary>The fix sentence: "Did you mean 'x'?" or "Use one of: a, b or c.".</summary>
    public static string Hint(string typed, IReadOnlyCollection<string> candidates, string listLead = "Use one of")
    {
        var closest = Closest(typed, candidates);
        return closest is not null
            ? $"Did you mean '{closest}'?"
            : $"{listLead}: {JoinOr(candidates)}.";
    }

    /// <summary>"a, b or c".</summary>
    public static string JoinOr(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transposition).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
