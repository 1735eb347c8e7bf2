using System.Text.RegularExpressions;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Testing;

namespace ModelCompress.Onnx.Tests;

public partial class DiagnosticsCatalogTests
{
    [Fact]
    public void Every_model_IO_code_has_a_message_and_a_row_in_docs_and_vice_versa()
    {
        var messages = MessageCatalog.Onnx.All();
        var docs = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md"));
        var rows = RowPattern().Matches(docs).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(rows.Count, rows.Distinct().Count());

        var catalogCodes = messages.Keys.Where(k => k.StartsWith("MC1", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(catalogCodes, rows.Where(r => r.StartsWith("MC1", StringComparison.Ordinal)).Order());
        foreach (var (code, text) in messages)
        {
            Assert.Matches("^MC[0-9]{4}$", code);
            Assert.StartsWith(code + ": ", text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\| (MC[0-9]{4}) \| (?:error|warning|info) \|", RegexOptions.Multiline)]
    private static partial Regex RowPattern();
}
