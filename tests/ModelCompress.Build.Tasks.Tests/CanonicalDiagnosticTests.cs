namespace ModelCompress.Build.Tasks.Tests;

public class CanonicalDiagnosticTests
{
    [Theory]
    [InlineData("/p/compression.yaml(7,9): error MC2003: Unknown key 'qantize'.", true, "MC2003", "/p/compression.yaml", 7, 9, 0, 0, "Unknown key 'qantize'.")]
    [InlineData("/p/compression.yaml(12): warning MC5002: top1 dropped", false, "MC5002", "/p/compression.yaml", 12, 0, 0, 0, "top1 dropped")]
    [InlineData("/p/r.yaml(3,5,3,12): error MC2010: range", true, "MC2010", "/p/r.yaml", 3, 5, 3, 12, "range")]
    [InlineData("/p/r.yaml(3-6): error MC2011: lines", true, "MC2011", "/p/r.yaml", 3, 0, 6, 0, "lines")]
    [InlineData("/p/r.yaml(3,5-9): error MC2012: columns", true, "MC2012", "/p/r.yaml", 3, 5, 0, 9, "columns")]
    [InlineData(@"C:\work\app\compression.yaml(2,1): error MC2003: drive letter", true, "MC2003", @"C:\work\app\compression.yaml", 2, 1, 0, 0, "drive letter")]
    [InlineData("/models/m.onnx: error MC1001: The model file was not found.", true, "MC1001", "/models/m.onnx", 0, 0, 0, 0, "The model file was not found.")]
    [InlineData("error MC9001: internal: boom", true, "MC9001", null, 0, 0, 0, 0, "internal: boom")]
    [InlineData("/a b/c d.yaml(1,2): Warning mc6001: cache entry corrupt: recomputed", false, "MC6001", "/a b/c d.yaml", 1, 2, 0, 0, "cache entry corrupt: recomputed")]
    [InlineData("/p/r.yaml(x,y): error MC2003: not a location", true, "MC2003", "/p/r.yaml(x,y)", 0, 0, 0, 0, "not a location")]
    [InlineData("/p/r.yaml(1,2,3): error MC2003: three numbers", true, "MC2003", "/p/r.yaml(1,2,3)", 0, 0, 0, 0, "three numbers")]
    public void Parses_canonical_lines(string line, bool isError, string code, string? file, int l, int c, int el, int ec, string text)
    {
        Assert.True(CanonicalDiagnostic.TryParse(line, out var d));
        Assert.Equal(new CanonicalDiagnostic(isError, code, text, file, l, c, el, ec), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mnist: 26.1 KB -> 8.4 KB, top1_agreement 0.998")]
    [InlineData("error: something without a code")]
    [InlineData("the word error MC inside text")]
    public void Leaves_other_lines_alone(string line)
    {
        Assert.False(CanonicalDiagnostic.TryParse(line, out var d));
        Assert.Null(d);
    }
}
