using System.Security.Cryptography;
using System.Text;
using ModelCompress.Cache;

namespace ModelCompress.Execution;

/// <summary>
/// Content addresses of segment work. A segment's chain key is SHA-256 over the engine identity, the previous
/// segment's chain key (the first segment's: the samples' digest) and the segment's own content hash (its nodes,
/// attributes, weights, opsets and the outputs it exposes, which decide what ONNX Runtime fuses). Whatever feeds a
/// segment is therefore in its key: a change upstream gives every later segment a new key, a change downstream leaves
/// the earlier keys as they were.
/// </summary>
internal static class SegmentKeys
{
    private static readonly byte[] ChainDomain = "modelcompress.segment.v1"u8.ToArray();
    private static readonly byte[] SamplesDomain = "modelcompress.segment-samples.v1"u8.ToArray();
    private static readonly byte[] ResultDomain = "modelcompress.segment-result.v1"u8.ToArray();
    private static readonly byte[] ActivationsDomain = "modelcompress.segment-activations.v1"u8.ToArray();

    /// <summary>SHA-256 of every sample's tensors (names, types, shapes and bytes), in order.</summary>
    public static byte[] Samples(IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(SamplesDomain);
        Append(hash, BitConverter.GetBytes(samples.Count));
        foreach (var sample in samples)
        {
            Append(hash, BitConverter.GetBytes(sample.Count));
            foreach (var (name, tensor) in sample.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Append(hash, Encoding.UTF8.GetBytes(name));
                Append(hash, BitConverter.GetBytes((int)tensor.Type));
                Append(hash, [.. tensor.Shape.SelectMany(BitConverter.GetBytes)]);
                Append(hash, tensor.Data);
            }
        }

        return hash.GetHashAndReset();
    }

    /// <summary>The chain key of a segment.</summary>
    public static byte[] Chain(string keyVersion, byte[] previous, byte[] content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ChainDomain);
        Append(hash, Encoding.UTF8.GetBytes(keyVersion));
        Append(hash, previous);
        Append(hash, content);
        return hash.GetHashAndReset();
    }

    /// <summary>The entry of what a consumer computed from a segment's observed values.</summary>
    public static CacheKey Result(byte[] chain, ISegmentConsumer consumer, IReadOnlyList<string> observed)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ResultDomain);
        Append(hash, chain);
        Append(hash, consumer.Fingerprint);
        Append(hash, consumer.SegmentFingerprint(observed));
        Append(hash, BitConverter.GetBytes(observed.Count));
        foreach (var name in observed)
        {
            Append(hash, Encoding.UTF8.GetBytes(name));
        }

        return new CacheKey(CacheEntryKind.SegmentResult, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The entry of the values crossing the cut after a segment.</summary>
    public static CacheKey Activations(byte[] chain)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ActivationsDomain);
        Append(hash, chain);
        return new CacheKey(CacheEntryKind.SegmentActivations, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
