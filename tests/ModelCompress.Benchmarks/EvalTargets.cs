namespace ModelCompress.Benchmarks;

/// <summary>
/// The issue's targets, checked against what this run measured and printed as a last table: each row names the
/// target, the variant, the measured value and met / missed / not measured (a variant the engine could not make).
/// </summary>
internal sealed class EvalTargets
{
    private readonly List<(string Target, string Subject, string Measured, bool? Met)> _rows = [];

    /// <summary>Headers of our static int8 columns (activations and weights int8), the ones the targets are about.</summary>
    public static readonly string[] StaticInt8 = ["int8 minmax", "SQ α=0.5", "SQ auto"];

    /// <summary>Headers of our SmoothQuant columns.</summary>
    public static readonly string[] SmoothQuant = ["SQ α=0.5", "SQ auto"];

    /// <summary>Records one check; <paramref name="measured"/> null means the variant was not available.</summary>
    public void Check(string target, string subject, double? measured, Func<double, bool> met, Func<double, string> format)
    {
        _rows.Add(measured is { } m ? (target, subject, format(m), met(m)) : (target, subject, "—", null));
    }

    /// <summary>
    /// "SmoothQuant auto no worse than α=0.5": compares the two columns' <paramref name="metric"/> on one fixture
    /// (<paramref name="higherIsBetter"/> says which way is better; equal counts as met).
    /// </summary>
    public void AutoVsHalf(string fixture, string metric, IReadOnlyList<EvalVariant> columns, Func<int, double> value, bool higherIsBetter, Func<double, string> format)
    {
        var half = Index(columns, "SQ α=0.5");
        var auto = Index(columns, "SQ auto");
        const string target = "SmoothQuant auto no worse than α=0.5";
        if (half < 0 || auto < 0)
        {
            _rows.Add((target, $"{fixture}: {metric}", "—", null));
            return;
        }

        var (h, a) = (value(half), value(auto));
        _rows.Add((target, $"{fixture}: {metric}", $"auto {format(a)} vs α=0.5 {format(h)}", higherIsBetter ? a >= h : a <= h));
    }

    /// <summary>The index of the available column with <paramref name="header"/>, or −1.</summary>
    public static int Index(IReadOnlyList<EvalVariant> columns, string header)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns[i].Header == header && columns[i].Available)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Calls <paramref name="check"/> for each of <paramref name="headers"/> with its column index (−1 when unavailable).</summary>
    public static void ForEach(IReadOnlyList<EvalVariant> columns, IEnumerable<string> headers, Action<string, int> check)
    {
        foreach (var h in headers.Where(h => columns.Any(c => c.Header == h)))
        {
            check(h, Index(columns, h));
        }
    }

    /// <summary>Prints the targets table (nothing when no fixture added a check).</summary>
    public void Print(TextWriter w, bool quick)
    {
        if (_rows.Count == 0)
        {
            return;
        }

        w.WriteLine("### Targets (from the issue)");
        w.WriteLine();
        if (quick)
        {
            w.WriteLine("(--quick: measured on data subsets; these are not the reference verdicts)");
            w.WriteLine();
        }

        w.WriteLine("| target | variant | measured | verdict |");
        w.WriteLine("|---|---|---|---|");
        foreach (var (target, subject, measured, met) in _rows)
        {
            w.WriteLine($"| {target} | {subject} | {measured} | {(met is null ? "not measured" : met.Value ? "met" : "**missed**")} |");
        }

        w.WriteLine();
        w.Flush();
    }
}
