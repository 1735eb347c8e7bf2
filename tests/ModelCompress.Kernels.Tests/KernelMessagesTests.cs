using System.Globalization;
using System.Resources;
using ModelCompress.Kernels;
using ModelCompress.Testing;

namespace ModelCompress.Kernels.Tests;

public class KernelMessagesTests
{
    [Fact]
    public void Every_kernel_code_is_well_formed_and_documented()
    {
        var resources = new ResourceManager("ModelCompress.Kernels.Resources.Messages", typeof(Int8Gemm).Assembly);
        var set = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true);
        Assert.NotNull(set);
        var codes = set.Cast<System.Collections.DictionaryEntry>().Select(e => ((string)e.Key, (string)e.Value!)).ToList();
        Assert.NotEmpty(codes);
        var doc = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "docs", "diagnostics.md"));
        foreach (var (code, text) in codes)
        {
            Assert.Matches("^MC9[0-9]{3}$", code);
            Assert.StartsWith(code + ": ", text, StringComparison.Ordinal);
            Assert.Contains($"| {code} | error |", doc, StringComparison.Ordinal);
        }
    }
}
