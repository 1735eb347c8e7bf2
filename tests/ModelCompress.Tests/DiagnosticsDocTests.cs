using System.Globalization;
using System.Text.RegularExpressions;
using ModelCompress.Diagnostics;
using ModelCompress.Kernels;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests;

/// <summary>
/// Keeps docs/diagnostics.md and the message catalogs in step: every code has a row and every row a code, each
/// assembly's codes sit in its range, and every text starts with its code and formats.
/// </summary>
public sealed partial class DiagnosticsDocTests
{
    /// <summary>The catalogs this project can load, with the code ranges (thousands) each may use.</summary>
    private static readonly (string Assembly, MessageCatalog Catalog, int[] Ranges)[] Catalogs =
    [
        ("ModelCompress.Kernels", new MessageCatalog("ModelCompress.Kernels.Resources.Messages", typeof(Int8GemmTier).Assembly), [9]),
        ("ModelCompress.Onnx", MessageCatalog.Onnx, [1, 9]),
        ("ModelCompress", EngineDiagnostics.Catalog, [2, 3, 4, 5, 6, 9]),
    ];

    /// <summary>
    /// Rows that no catalog here holds on purpose: MC7xxx belongs to ModelCompress.Build.Tasks (checked by its own
    /// tests; this project does not reference it), and MC9001 reports a broken catalog, so it is raised inline.
    /// </summary>
    private static bool CheckedElsewhere(string code) => code.StartsWith("MC7", StringComparison.Ordinal) || code == "MC9001";

    private static readonly string[] Severities = ["error", "warning", "info"];

    [Fact]
    public void Every_code_in_every_catalog_has_a_row_in_the_docs()
    {
        var documented = DocRows().Select(r => r.Code).ToHashSet();
        var codes = Catalogs.SelectMany(c => c.Catalog.All().Keys).ToList();

        Assert.NotEmpty(EngineDiagnostics.Catalog.All());
        Assert.NotEmpty(MessageCatalog.Onnx.All());
        var missing = codes.Where(c => !documented.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "codes without a row in docs/diagnostics.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_row_in_the_docs_is_a_code_that_exists()
    {
        var known = Catalogs.SelectMany(c => c.Catalog.All().Keys).ToHashSet();

        var unknown = DocRows().Select(r => r.Code).Where(c => !known.Contains(c) && !CheckedElsewhere(c)).ToList();
        Assert.True(unknown.Count == 0, "rows in docs/diagnostics.md for codes no catalog has: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Each_assemblys_codes_are_in_its_range_and_no_code_is_in_two_catalogs()
    {
        foreach (var (assembly, catalog, ranges) in Catalogs)
        {
            foreach (var code in catalog.All().Keys)
            {
                Assert.Matches(CodePattern(), code);
                var thousands = code[2] - '0';
                Assert.True(ranges.Contains(thousands), $"{code} in {assembly} is outside its ranges MC{string.Join("xxx/MC", ranges)}xxx");
            }
        }

        var all = Catalogs.SelectMany(c => c.Catalog.All().Keys).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Every_text_starts_with_its_code_and_formats_with_its_arguments()
    {
        foreach (var (_, catalog, _) in Catalogs)
        {
            foreach (var (code, text) in catalog.All())
            {
                Assert.StartsWith(code + ": ", text, StringComparison.Ordinal);
                var args = Placeholder().Matches(text).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
                var d = catalog.Create(code, DiagnosticSeverity.Error, "f", 1, 1, [.. Enumerable.Range(0, args).Select(i => (object)("a" + i))]);
                Assert.Equal(code, d.Code);
                Assert.DoesNotContain("MC", d.Message[..Math.Min(6, d.Message.Length)], StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_docs_table_is_sorted_by_code_with_one_complete_row_per_code()
    {
        var rows = DocRows();

        Assert.NotEmpty(rows);
        Assert.Equal(rows.Select(r => r.Code).Order(StringComparer.Ordinal), rows.Select(r => r.Code));
        Assert.Equal(rows.Count, rows.Select(r => r.Code).Distinct().Count());
        Assert.All(rows, r =>
        {
            Assert.Contains(r.Severity, Severities);
            Assert.False(string.IsNullOrWhiteSpace(r.Meaning), r.Code + " has no meaning");
            Assert.False(string.IsNullOrWhiteSpace(r.Fix), r.Code + " has no fix");
        });
    }

    private static List<(string Code, string Severity, string Meaning, string Fix)> DocRows()
    {
        var path = Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md");
        var lines = File.ReadAllLines(path);
        Assert.Contains("| Code | Severity | Meaning | Fix |", lines);
        var rows = new List<(string, string, string, string)>();
        foreach (var line in lines.Where(l => RowStart().IsMatch(l)))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 4, $"row needs 4 cells: {line}");
            Assert.Matches(CodePattern(), cells[0]);
            rows.Add((cells[0], cells[1], cells[2], cells[3]));
        }

        return rows;
    }

    [GeneratedRegex(@"^\| MC[0-9]{4} \|")]
    private static partial Regex RowStart();

    [GeneratedRegex("^MC[1-9][0-9]{3}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"(?<!\{)\{(\d+)\}")]
    private static partial Regex Placeholder();
}
