using ModelCompress.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Importers;

public class ImporterDiagnosticsTests
{
    [Fact]
    public void Every_MC35xx_code_has_a_coded_text_and_a_row_in_docs_diagnostics_md()
    {
        var docs = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md"));
        var codes = EngineDiagnostics.Catalog.All().Where(kv => kv.Key.StartsWith("MC35", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(codes);
        foreach (var (code, text) in codes)
        {
            Assert.StartsWith(code + ": ", text, StringComparison.Ordinal);
            Assert.Contains($"| {code} | error |", docs, StringComparison.Ordinal);
        }

        var documented = System.Text.RegularExpressions.Regex.Matches(docs, @"\| (MC35\d\d) \|").Select(m => m.Groups[1].Value);
        Assert.Equal(documented.Order(StringComparer.Ordinal), codes.Select(c => c.Key).Order(StringComparer.Ordinal));
    }
}
