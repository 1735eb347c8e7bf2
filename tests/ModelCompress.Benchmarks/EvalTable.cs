using System.Globalization;

namespace ModelCompress.Benchmarks;

/// <summary>
/// A Markdown table with one column per variant and one row per metric, followed by notes (why a column is empty,
/// engine warnings, how the data was chosen). Cells of unavailable variants read "n/a".
/// </summary>
internal sealed class EvalTable
{
    private readonly string _title;
    private readonly IReadOnlyList<EvalVariant> _columns;
    private readonly List<(string Metric, string[] Cells)> _rows = [];
    private readonly List<string> _notes = [];

    public EvalTable(string title, IReadOnlyList<EvalVariant> columns)
    {
        _title = title;
        _columns = columns;
    }

    /// <summary>Adds a row; <paramref name="cell"/> is called for available columns only and may return null for "—".</summary>
    public void Row(string metric, Func<int, string?> cell)
    {
        _rows.Add((metric, [.. _columns.Select((c, i) => c.Available ? cell(i) ?? "—" : "n/a")]));
    }

    /// <summary>Adds a line printed under the table.</summary>
    public void Note(string note) => _notes.Add(note);

    /// <summary>Prints title, table and notes (the unavailable columns' reasons and each variant's notes first).</summary>
    public void Print(TextWriter w)
    {
        w.WriteLine($"### {_title}");
        w.WriteLine();
        w.WriteLine("| metric | " + string.Join(" | ", _columns.Select(c => c.Header)) + " |");
        w.WriteLine("|---|" + string.Concat(_columns.Select(_ => "---:|")));
        foreach (var (metric, cells) in _rows)
        {
            w.WriteLine($"| {metric} | {string.Join(" | ", cells)} |");
        }

        w.WriteLine();
        foreach (var c in _columns.Where(c => !c.Available))
        {
            w.WriteLine($"- {c.Header}: not available — {c.Unavailable}");
        }

        foreach (var line in _columns.SelectMany(c => c.Notes).Concat(_notes))
        {
            w.WriteLine($"- {line}");
        }

        w.WriteLine();
        w.Flush();
    }

    /// <summary>Invariant formatting helpers for cells.</summary>
    public static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A signed percentage change of <paramref name="value"/> over <paramref name="reference"/>.</summary>
    public static string DeltaPercent(double value, double reference, int decimals = 3) =>
        ((value - reference) / reference * 100).ToString("+0." + new string('0', decimals) + ";-0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    /// <summary>Megabytes with two decimals.</summary>
    public static string Mb(long bytes) => F(bytes / 1e6, 2) + " MB";
}
