using System.Globalization;
using System.Text.RegularExpressions;
using ModelCompress.Testing;

namespace ModelCompress.Build.Tasks.Tests;

/// <summary>The task's MC7xxx messages and docs/diagnostics.md stay in step.</summary>
public class DiagnosticsTableTests
{
    private static readonly IReadOnlyDictionary<string, string> Messages = LoadMessages();

    [Fact]
    public void Every_message_starts_with_its_code_in_the_build_integration_range()
    {
        Assert.NotEmpty(Messages);
        Assert.All(Messages, m =>
        {
            Assert.Matches("^MC7[0-9]{3}$", m.Key);
            Assert.StartsWith(m.Key + ": ", m.Value, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_MC7_code_has_exactly_one_row_and_every_row_a_message()
    {
        var doc = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md"));
        var rows = Regex.Matches(doc, @"^\| (MC7[0-9]{3}) \| (error|warning) \|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToList();

        Assert.Equal(rows.Distinct().Count(), rows.Count);
        Assert.Equal(Messages.Keys.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }

    private static SortedDictionary<string, string> LoadMessages()
    {
        var set = CompressModels.Messages.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in set)
        {
            result[(string)e.Key] = (string)e.Value!;
        }

        return result;
    }
}
