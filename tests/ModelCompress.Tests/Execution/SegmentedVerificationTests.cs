using ModelCompress.Cache;
using ModelCompress.Execution;
using ModelCompress.Onnx;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Verification;
using Xunit.Abstractions;

namespace ModelCompress.Tests.Execution;

/// <summary>Verification of char-gpt run segment by segment: outputs read back when nothing changed, equal metrics either way.</summary>
public sealed class SegmentedVerificationTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-segv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Unchanged_models_are_not_run_again_and_the_metrics_are_the_same()
    {
        var path = Fixtures.Require("models/char-gpt/char-gpt-6l384.onnx");
        var data = new DataSource(Fixtures.Require("data/wikitext-2/test.txt"), DataFormat.Text, TokenizerKind.Bytes, null, 128, null, new SourceLocation("test", 1, 1));
        var reports = new List<SegmentRunReport>();
        var context = new SegmentCacheContext(new DirectoryLayerCache(_dir), "v", reports.Add);
        VerificationMetrics Run(SegmentCacheContext c) =>
            ModelVerifier.Compare("char-gpt", (path, OnnxModel.Load(path)), (path, OnnxModel.Load(path)), data, null, 3, null, CancellationToken.None, c);

        var first = Run(context);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var second = Run(context);
        output.WriteLine($"second run {clock.Elapsed.TotalMilliseconds:F0} ms");
        var uncached = Run(SegmentCacheContext.None);
        reports.ForEach(r => output.WriteLine(r.ToString()));
        Assert.Equal(4, reports.Count);
        Assert.Equal(13, reports[0].Run);
        Assert.Equal(0, reports[1].Run); // the same model again: read back
        Assert.All(reports.Skip(2), r => Assert.Equal(0, r.Run));
        Assert.Equal(first, second);
        Assert.Equal(first, uncached);
        Assert.Equal(1.0, first.Top1Agreement);
    }
}
