using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ModelCompress.Importers;
using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress.Tests.Importers;

public sealed class Llama2cCheckpointTests : IDisposable
{
    private readonly Llama2cFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Header_of_stories260K_is_read_and_matches_the_file_size()
    {
        var config = Llama2cCheckpoint.ReadConfig(StoriesFixture.CheckpointPath);

        Assert.Equal(new Llama2cConfig(64, 172, 5, 8, 4, 512, 512, SharedClassifier: true), config);
        Assert.Equal(8, config.HeadSize);
        Assert.Equal(32, config.KvDim);
        Assert.Equal(2, config.KvMultiplier);
        Assert.Equal(new FileInfo(StoriesFixture.CheckpointPath).Length, config.ExpectedFileBytes);
        Assert.Equal(260_032, config.ParameterCount); // "stories260K"
    }

    [Fact]
    public void Weights_have_run_c_shapes_and_come_from_run_c_offsets()
    {
        var checkpoint = Llama2cCheckpoint.Load(StoriesFixture.CheckpointPath);
        var c = checkpoint.Config;
        Assert.Equal(c.VocabSize * c.Dim, checkpoint.TokenEmbeddings.Length);
        Assert.Equal(c.Layers * c.Dim, checkpoint.AttentionNorm.Length);
        Assert.Equal(c.Layers * c.Dim * c.Dim, checkpoint.Wq.Length);
        Assert.Equal(c.Layers * c.KvDim * c.Dim, checkpoint.Wk.Length);
        Assert.Equal(c.Layers * c.KvDim * c.Dim, checkpoint.Wv.Length);
        Assert.Equal(c.Layers * c.Dim * c.Dim, checkpoint.Wo.Length);
        Assert.Equal(c.Layers * c.HiddenDim * c.Dim, checkpoint.W1.Length);
        Assert.Equal(c.Layers * c.Dim * c.HiddenDim, checkpoint.W2.Length);
        Assert.Equal(c.Layers * c.HiddenDim * c.Dim, checkpoint.W3.Length);
        Assert.Equal(c.Dim, checkpoint.FinalNorm.Length);

        // Shared classifier: the very same memory as the embeddings.
        Assert.True(MemoryMarshal.TryGetArray(checkpoint.Classifier, out var cls));
        Assert.True(MemoryMarshal.TryGetArray(checkpoint.TokenEmbeddings, out var emb));
        Assert.Same(emb.Array, cls.Array);

        // Spot-check values against the raw file at offsets computed here from run.c's layout.
        var bytes = File.ReadAllBytes(StoriesFixture.CheckpointPath);
        float At(long floatIndex) => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(28 + (int)(floatIndex * 4)));
        long d = c.Dim, l = c.Layers, kv = c.KvDim, h = c.HiddenDim;
        Assert.Equal(At(0), checkpoint.TokenEmbeddings.Span[0]);
        var wkStart = (c.VocabSize * d) + (l * d) + (l * d * d);
        Assert.Equal(At(wkStart + (3 * kv * d) + 5), checkpoint.Layer(checkpoint.Wk, 3).Span[5]);
        var finalStart = wkStart + (2 * l * kv * d) + (l * d * d) + (l * d) + (3 * l * h * d);
        Assert.Equal(At(finalStart + d - 1), checkpoint.FinalNorm.Span[^1]);
        Assert.Equal(At(finalStart - 1), checkpoint.W3.Span[^1]);
        Assert.All(checkpoint.FinalNorm.ToArray(), v => Assert.True(v > 0)); // trained RMSNorm gammas are positive here
    }

    [Fact]
    public void Negative_vocab_size_means_an_unshared_classifier_read_after_the_rope_tables()
    {
        var path = _files.RandomCheckpoint("unshared.bin", dim: 8, hidden: 12, layers: 2, heads: 2, kvHeads: 1, vocab: -16, seqLen: 6);
        var checkpoint = Llama2cCheckpoint.Load(path);

        Assert.False(checkpoint.Config.SharedClassifier);
        Assert.Equal(16, checkpoint.Config.VocabSize);
        Assert.Equal(16 * 8, checkpoint.Classifier.Length);
        var bytes = File.ReadAllBytes(path);
        var last = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(bytes.Length - 4));
        Assert.Equal(last, checkpoint.Classifier.Span[^1]);
        Assert.NotEqual(checkpoint.TokenEmbeddings.Span[^1], checkpoint.Classifier.Span[^1]);
    }

    [Fact]
    public void Missing_file_is_MC3501()
    {
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(_files.PathOf("absent.bin")));
        Assert.Equal("MC3501", e.Code);
        Assert.Contains("absent.bin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_shorter_than_the_header_is_MC3502()
    {
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(_files.Raw("short.bin", new byte[10])));
        Assert.Equal("MC3502", e.Code);
    }

    [Theory]
    [InlineData(new[] { 0, 172, 5, 8, 4, 512, 512 }, "positive")]
    [InlineData(new[] { 64, 172, 5, 8, 4, 0, 512 }, "positive")]
    [InlineData(new[] { 64, 172, -5, 8, 4, 512, 512 }, "positive")]
    [InlineData(new[] { 64, 172, 5, 7, 7, 512, 512 }, "multiple of n_heads")]
    [InlineData(new[] { 48, 172, 5, 16, 4, 512, 512 }, "odd")]
    [InlineData(new[] { 64, 172, 5, 8, 3, 512, 512 }, "n_kv_heads")]
    [InlineData(new[] { 64, 172, 5, 4, 8, 512, 512 }, "n_kv_heads")]
    [InlineData(new[] { 1 << 30, 1 << 30, 1 << 30, 2, 2, 1 << 30, 512 }, "array")]
    [InlineData(new[] { 64, 172, 5, 8, 4, int.MinValue, 512 }, "vocab_size")]
    public void Impossible_header_is_MC3503_without_a_large_allocation(int[] header, string why)
    {
        var path = _files.Checkpoint("bad.bin", header, new float[64]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (1 << 20));
        Assert.Equal("MC3503", e.Code);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_plausible_header_on_a_small_file_is_MC3504_without_a_large_allocation()
    {
        // Llama-2-7B's header (4096, 11008, 32 layers, 32000 vocab) on 1 KB of data.
        var path = _files.Checkpoint("7b.bin", [4096, 11008, 32, 32, 32, 32000, 2048], new float[256]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (1 << 20));
        Assert.Equal("MC3504", e.Code);
    }

    [Theory]
    [InlineData(-4)]
    [InlineData(-400_000)]
    [InlineData(4)]
    public void Truncated_or_padded_stories260K_is_MC3504(int delta)
    {
        var bytes = File.ReadAllBytes(StoriesFixture.CheckpointPath);
        var changed = new byte[bytes.Length + delta];
        bytes.AsSpan(0, Math.Min(bytes.Length, changed.Length)).CopyTo(changed);
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(_files.Raw("cut.bin", changed)));
        Assert.Equal("MC3504", e.Code);
        Assert.Contains(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Versioned_export_format_is_MC3505()
    {
        var header = new byte[256];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x616b3432);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 1);
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.ReadConfig(_files.Raw("v1.bin", header)));
        Assert.Equal("MC3505", e.Code);
        Assert.Contains("version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_weight_is_MC3506()
    {
        var path = _files.RandomCheckpoint("nan.bin", dim: 8, hidden: 12, layers: 1, heads: 2, kvHeads: 2, vocab: 16, seqLen: 4);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(28 + (16 * 8 * 4) + 4), float.NaN); // rms_att_weight[1]
        var e = Assert.Throws<ModelCompressException>(() => Llama2cCheckpoint.Load(_files.Raw("nan.bin", bytes)));
        Assert.Equal("MC3506", e.Code);
        Assert.Contains("rms_att_weight", e.Message, StringComparison.Ordinal);
    }
}
