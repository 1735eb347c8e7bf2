using ModelCompress.Importers;
using ModelCompress.Testing;

namespace ModelCompress.Tests.Importers;

/// <summary>
/// The llama2.c importer's key/value-cache decoder on a small grouped-query checkpoint: a prompt alone runs as the
/// plain decoder does (the cache inputs default to empty), and a token fed with the cache the prompt returned gets the
/// logits run.c gives that position after the whole text.
/// </summary>
public sealed class Llama2cKeyValueCacheTests : IDisposable
{
    private readonly Llama2cFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void The_cache_decoder_runs_a_prompt_alone_and_then_one_token_on_its_cache_as_run_c_does()
    {
        var path = _files.RandomCheckpoint("tiny.bin", dim: 16, hidden: 24, layers: 2, heads: 4, kvHeads: 2, vocab: 20, seqLen: 8);
        var checkpoint = Llama2cCheckpoint.Load(path);
        var model = Llama2cImporter.ToOnnx(checkpoint, keyValueCache: true);
        Assert.Empty(model.Validate());
        Assert.Equal(["input_ids", "past_key.0", "past_value.0", "past_key.1", "past_value.1"], model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["logits", "present_key.0", "present_value.0", "present_key.1", "present_value.1"], model.Graph.Outputs.Select(o => o.Name));
        Assert.Equal("2", model.MetadataProps[Llama2cKeyValueCache.LayersKey]);
        int[] tokens = [1, 5, 19, 0, 7, 3];
        var bytes = model.ToBytes();

        var prompt = OrtRun.Run(bytes, OrtInput.Int64("input_ids", [.. tokens[..5].Select(t => (long)t)], 1, 5));
        AssertClose(ReferenceLlama.Forward(checkpoint, tokens[..5]), prompt[0].Floats, 1e-4f);
        Assert.Equal(new long[] { 1, 2, 5, 4 }, prompt[1].Shape); // [batch, kv_heads, positions so far, head_size]

        var past = Enumerable.Range(1, 4).Select(i => OrtInput.Float(model.Graph.Inputs[i].Name, prompt[i].Floats, [.. prompt[i].Shape]));
        var next = OrtRun.Run(bytes, [OrtInput.Int64("input_ids", [tokens[5]], 1, 1), .. past]);
        var whole = ReferenceLlama.Forward(checkpoint, tokens);
        AssertClose(whole[(5 * 20)..], next[0].Floats, 1e-4f);
        Assert.Equal(new long[] { 1, 2, 6, 4 }, next[1].Shape);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1f, Math.Abs(e))).Max();
        Assert.True(worst <= tolerance, $"largest relative difference {worst}");
    }
}
