using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using ModelCompress.Diagnostics;

namespace ModelCompress.Importers;

/// <summary>Reading and validating the checkpoint file.</summary>
public sealed partial class Llama2cCheckpoint
{
    /// <summary>The first uint32 of llama2.c's versioned export format ("ak42"), which run.c does not read.</summary>
    private const uint VersionedMagic = 0x616b3432;

    /// <summary>
    /// Reads only the header of <paramref name="path"/> and checks it against the file size: MC3501 (unreadable),
    /// MC3502 (shorter than the header), MC3505 (versioned format), MC3503 (impossible sizes), MC3504 (the file size
    /// differs from what the header implies).
    /// </summary>
    public static Llama2cConfig ReadConfig(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        try
        {
            using var stream = OpenRead(full);
            return ReadHeader(stream, full);
        }
        catch (Exception e) when (EngineDiagnostics.IsFileError(e))
        {
            throw EngineDiagnostics.Unreadable(full, e);
        }
    }

    /// <summary>
    /// Reads a llama2.c (legacy format, as run.c reads it) checkpoint. The header is validated and the file size must
    /// match it exactly before any weight is allocated (see <see cref="ReadConfig"/> for the codes); a NaN or infinite
    /// weight is MC3506.
    /// </summary>
    public static Llama2cCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        try
        {
            using var stream = OpenRead(full);
            var config = ReadHeader(stream, full);
            var checkpoint = new Llama2cCheckpoint(config, full);
            checkpoint.ReadWeights(stream);
            return checkpoint;
        }
        catch (Exception e) when (EngineDiagnostics.IsFileError(e))
        {
            throw EngineDiagnostics.Unreadable(full, e);
        }
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static Llama2cConfig ReadHeader(FileStream stream, string path)
    {
        var length = stream.Length;
        if (length < Llama2cConfig.HeaderBytes)
        {
            throw EngineDiagnostics.Fail("MC3502", path, path, length, Llama2cConfig.HeaderBytes);
        }

        var header = new byte[Llama2cConfig.HeaderBytes];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) == VersionedMagic)
        {
            throw EngineDiagnostics.Fail("MC3505", path, path, BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)));
        }

        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(i * 4));
        var vocab = Field(5);
        if (vocab == int.MinValue)
        {
            throw EngineDiagnostics.Fail("MC3503", path, path, "vocab_size " + vocab.ToString(CultureInfo.InvariantCulture) + " is out of range");
        }

        // run.c: a negative vocab_size signals an unshared classifier (wcls stored after the RoPE tables).
        var config = new Llama2cConfig(Field(0), Field(1), Field(2), Field(3), Field(4), Math.Abs(vocab), Field(6), vocab > 0);
        if (config.FindProblem() is { } problem)
        {
            throw EngineDiagnostics.Fail("MC3503", path, path, problem);
        }

        if (config.ExpectedFileBytes != length)
        {
            throw EngineDiagnostics.Fail("MC3504", path, path, length, config, config.ExpectedFileBytes);
        }

        return config;
    }

    private void ReadWeights(FileStream stream)
    {
        var c = Config;
        long d = c.Dim, l = c.Layers;
        TokenEmbeddings = Read(stream, "token_embedding_table", c.VocabSize * d);
        AttentionNorm = Read(stream, "rms_att_weight", l * d);
        Wq = Read(stream, "wq", l * d * d);
        Wk = Read(stream, "wk", l * c.KvDim * d);
        Wv = Read(stream, "wv", l * c.KvDim * d);
        Wo = Read(stream, "wo", l * d * d);
        FfnNorm = Read(stream, "rms_ffn_weight", l * d);
        W1 = Read(stream, "w1", l * c.HiddenDim * d);
        W2 = Read(stream, "w2", l * d * c.HiddenDim);
        W3 = Read(stream, "w3", l * c.HiddenDim * d);
        FinalNorm = Read(stream, "rms_final_weight", d);

        // freq_cis_real and freq_cis_imag [seq_len, head_size/2]: run.c recomputes RoPE from the position instead.
        stream.Seek(2L * c.SeqLen * (c.HeadSize / 2) * sizeof(float), SeekOrigin.Current);
        Classifier = c.SharedClassifier ? TokenEmbeddings : Read(stream, "wcls", c.VocabSize * d);
    }

    private float[] Read(FileStream stream, string name, long count)
    {
        // The header was checked (every weight fits one array) and the file size matched, so this is bounded by the
        // file's real size.
        var values = new float[checked((int)count)];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var ints = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(ints, ints);
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw EngineDiagnostics.Fail("MC3506", SourcePath, SourcePath, name, values[i].ToString(CultureInfo.InvariantCulture), i);
            }
        }

        return values;
    }
}
