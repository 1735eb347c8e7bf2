using System.Security.Cryptography;
using System.Text;

namespace ModelCompress.Cache;

/// <summary>
/// The content address of one layer's work in one step: SHA-256 over the pass name, the step's settings fingerprint,
/// the engine version, the layer's descriptor (op, weight shape, channel axis), a hash of its weight bytes and a hash of
/// its input statistics. Equal keys mean equal inputs to the pass's per-layer computation, so the result may be
/// reused; any change to the weights, the statistics, the settings or the engine gives a new key.
/// </summary>
/// <param name="Hex">The lowercase hexadecimal SHA-256.</param>
public readonly record struct LayerWorkKey(string Hex)
{
    private static readonly byte[] Domain = "modelcompress.layer-work.v1"u8.ToArray();

    /// <summary>Computes the key of one layer's work.</summary>
    public static LayerWorkKey Compute(
        string passName,
        string settingsFingerprint,
        string engineVersion,
        string layerDescriptor,
        ReadOnlySpan<byte> weightBytes,
        ReadOnlySpan<byte> inputStatisticsBytes) =>
        FromStatisticsHash(passName, settingsFingerprint, engineVersion, layerDescriptor, weightBytes, SHA256.HashData(inputStatisticsBytes));

    /// <summary>
    /// The same key as <see cref="Compute"/>, given the SHA-256 of the input statistics' bytes rather than the bytes (a
    /// run that read the statistics back from the cache has that hash without encoding them again).
    /// </summary>
    public static LayerWorkKey FromStatisticsHash(
        string passName,
        string settingsFingerprint,
        string engineVersion,
        string layerDescriptor,
        ReadOnlySpan<byte> weightBytes,
        ReadOnlySpan<byte> inputStatisticsSha256) =>
        FromHashes(passName, settingsFingerprint, engineVersion, layerDescriptor, SHA256.HashData(weightBytes), inputStatisticsSha256);

    /// <summary>
    /// The same key as <see cref="Compute"/>, given the SHA-256 of the weight bytes and of the input statistics' bytes
    /// (a layer hashes its weight tensor once, straight from the tensor's bytes, see <see cref="Passes.PassLayer.WeightHash"/>).
    /// </summary>
    public static LayerWorkKey FromHashes(
        string passName,
        string settingsFingerprint,
        string engineVersion,
        string layerDescriptor,
        ReadOnlySpan<byte> weightSha256,
        ReadOnlySpan<byte> inputStatisticsSha256)
    {
        if (inputStatisticsSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("a SHA-256 is 32 bytes", nameof(inputStatisticsSha256));
        }

        if (weightSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("a SHA-256 is 32 bytes", nameof(weightSha256));
        }

        ArgumentNullException.ThrowIfNull(passName);
        ArgumentNullException.ThrowIfNull(settingsFingerprint);
        ArgumentNullException.ThrowIfNull(engineVersion);
        ArgumentNullException.ThrowIfNull(layerDescriptor);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        AppendField(hash, Encoding.UTF8.GetBytes(passName));
        AppendField(hash, Encoding.UTF8.GetBytes(settingsFingerprint));
        AppendField(hash, Encoding.UTF8.GetBytes(engineVersion));
        AppendField(hash, Encoding.UTF8.GetBytes(layerDescriptor));
        AppendField(hash, weightSha256);
        AppendField(hash, inputStatisticsSha256);
        return new LayerWorkKey(Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <inheritdoc />
    public override string ToString() => Hex;

    // Length-prefixing each field keeps ("ab","c") and ("a","bc") apart.
    private static void AppendField(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
