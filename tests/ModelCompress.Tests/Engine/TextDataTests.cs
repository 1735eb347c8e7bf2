using ModelCompress.Data;
using ModelCompress.Engine;
using ModelCompress.Onnx.Diagnostics;
using ModelCompress.Recipe;
using ModelCompress.Testing;
using ModelCompress.Text;

namespace ModelCompress.Tests.Engine;

public sealed class TextDataTests
{
    [Fact]
    public void Byte_windows_are_consecutive_utf8_bytes_of_the_text()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.txt"), "abc\ndéf\nxyz\n");

        var w = TextWindows.Read(dir.File("t.txt"), TokenizerKind.Bytes, null, seqLen: 4, maxWindows: 10);

        // "abc\n" + "d" C3 A9 "f" + "\nxyz" — the trailing "\n" does not fill a window and is dropped.
        Assert.Equal([3L, 4L], w.Shape);
        Assert.Equal(new long[] { 97, 98, 99, 10, 100, 0xC3, 0xA9, 102, 10, 120, 121, 122 }, (long[])w.Data);
    }

    [Fact]
    public void Llama2c_windows_start_with_bos_and_hold_the_tokenizers_ids()
    {
        using var dir = new TempDirectory();
        var tokenizerPath = Fixtures.Require("models/stories260K/tok512.bin");
        File.WriteAllText(dir.File("t.txt"), "Once upon a time there was a little girl.\n\nShe liked to play in the park with her dog.\n");

        var w = TextWindows.Read(dir.File("t.txt"), TokenizerKind.Llama2C, tokenizerPath, seqLen: 8, maxWindows: 2);

        var ids = (long[])w.Data;
        Assert.Equal([2L, 8L], w.Shape);
        Assert.Equal(Llama2cTokenizer.BosId, ids[0]);
        Assert.Equal(Llama2cTokenizer.BosId, ids[8]);
        var expected = Llama2cTokenizer.Load(tokenizerPath).Encode("Once upon a time there was a little girl.\n\n", bos: false, eos: false);
        Assert.Equal(expected.Take(7).Select(i => (long)i), ids[1..8]);
    }

    [Fact]
    public void Text_shorter_than_one_window_is_MC3017()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("t.txt"), "tiny");

        var ex = Assert.Throws<ModelCompressException>(() => TextWindows.Read(dir.File("t.txt"), TokenizerKind.Bytes, null, 128, 10));

        Assert.Equal("MC3017", ex.Code);
    }

    /// <summary>The real byte-level GPT fixture on WikiText-2: weight-only int8 barely moves perplexity.</summary>
    [Fact]
    public void Char_gpt_weight_only_int8_keeps_wikitext_perplexity_within_one_percent()
    {
        using var p = new TestProject();
        p.WriteRecipe(FixtureRecipe.CharGpt(
            "      - quantize: { mode: weight_only }",
            "        - { metric: perplexity, max_increase: 0.01 }\n        - { metric: top1_agreement, min: 0.97 }",
            verifySamples: 4,
            name: "chargpt"));

        var result = p.CompressSucceeded();

        var m = result.Report.Models[0];
        var metrics = m.Verification!.Metrics;
        Assert.Equal(4 * 128, metrics.Rows);
        // README: 3.575 per byte over the first 200,000 bytes; four windows land near it.
        Assert.InRange(metrics.ReferencePerplexity!.Value, 2.5, 5.0);
        Assert.InRange(metrics.Perplexity!.Value / metrics.ReferencePerplexity.Value, 0.99, 1.01);
        Assert.Equal(25, m.Steps[0].Layers.Count);
        Assert.InRange(m.SizeRatio, 0.25, 0.28);
    }
}
