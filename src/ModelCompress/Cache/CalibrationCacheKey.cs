using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ModelCompress.Calibration;
using ModelCompress.Onnx;
using ModelCompress.Onnx.Internal;
using ModelCompress.Passes;
using ModelCompress.Recipe;

namespace ModelCompress.Cache;

/// <summary>
/// The content address of a calibration run: SHA-256 over the engine version, the model as it stands when the step
/// runs (earlier steps applied; its serialized bytes with external data inlined, or the equivalent digest chain of
/// <see cref="ModelDigests"/>), the calibration settings that
/// choose and shape the samples, the content of the data file (and tokenizer file), and the sorted value names
/// observed. Equal keys mean ONNX Runtime would see the same model on the same samples and report the same values.
/// </summary>
internal static class CalibrationCacheKey
{
    private static readonly byte[] Domain = "modelcompress.calibration.v1"u8.ToArray();

    public static CacheKey Compute(
        OnnxModel model, CalibrationSettings calibration, IReadOnlyList<string> sortedValues, string engineVersion, LayerStatisticsRequest? request = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compute(ModelHash(model), calibration, sortedValues, engineVersion, request);
    }

    /// <summary>The key for a model given by its digest (<see cref="ModelDigests"/>) rather than by its bytes.</summary>
    public static CacheKey Compute(
        byte[] modelDigest, CalibrationSettings calibration, IReadOnlyList<string> sortedValues, string engineVersion, LayerStatisticsRequest? request = null,
        Func<string, byte[]>? fileHash = null)
    {
        ArgumentNullException.ThrowIfNull(modelDigest);
        ArgumentNullException.ThrowIfNull(calibration);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        AppendField(hash, Encoding.UTF8.GetBytes(engineVersion));
        AppendField(hash, modelDigest);
        var data = calibration.Data;
        AppendField(hash, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"samples={calibration.Samples}|seed={calibration.Seed}|format={data.Format}|tokenizer={data.Tokenizer}|seq_len={data.SeqLen}|input={data.Input}")));
        AppendField(hash, FileHash(data.Path, fileHash));
        AppendField(hash, data.TokenizerPath is { } tokenizer ? FileHash(tokenizer, fileHash) : []);
        AppendField(hash, BitConverter.GetBytes(sortedValues.Count));
        foreach (var value in sortedValues)
        {
            AppendField(hash, Encoding.UTF8.GetBytes(value));
        }

        // What is collected besides the ranges (histograms, captured rows); absent for ranges alone, so those keys
        // stay what they were.
        if (request is { IsMinMaxOnly: false })
        {
            AppendField(hash, Encoding.UTF8.GetBytes(request.ToString()));
        }

        return new CacheKey(CacheEntryKind.CalibrationStatistics, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>SHA-256 of the model's serialized bytes, streamed (never a second copy of a large model in memory).</summary>
    internal static byte[] ModelHash(OnnxModel model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new HashingStream(hash))
        {
            model.Save(stream);
        }

        return hash.GetHashAndReset();
    }

    internal static byte[] FileHash(string path, Func<string, byte[]>? fileHash = null)
    {
        // A missing or unreadable data file is the collector's error to report (MC3002, with the recipe line).
        try
        {
            if (fileHash is not null)
            {
                return fileHash(path);
            }

            using var stream = File.OpenRead(path);
            return SHA256.HashData(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Encoding.UTF8.GetBytes("unreadable:" + path);
        }
    }

    // Length-prefixing each field keeps ("ab","c") and ("a","bc") apart.
    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
