using System.Security.Cryptography;
using ModelCompress.Cache;

namespace ModelCompress.Passes;

/// <summary>
/// A layer with its work key and its (computed or cached) serialized result, ready to apply. A streaming pass's
/// results are kept in a <see cref="SpillFile"/> instead of memory (<see cref="Spilled"/>): <see cref="Result"/> reads
/// them back on each call, so whoever applies them holds one layer's result at a time.
/// </summary>
public sealed class LayerOutcome
{
    private readonly byte[]? _result;
    private readonly SpillRegion _region;
    private byte[]? _resultHash;

    /// <summary>An outcome whose result is held in memory.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="key">The layer's work key.</param>
    /// <param name="result">The bytes <see cref="ICompressionPass.ComputeLayer"/> produced for it.</param>
    public LayerOutcome(PassLayer layer, LayerWorkKey key, byte[] result)
    {
        ArgumentNullException.ThrowIfNull(result);
        (Layer, Key, _result) = (layer, key, result);
    }

    private LayerOutcome(PassLayer layer, LayerWorkKey key, SpillFile spill, SpillRegion region, byte[] resultHash)
    {
        (Layer, Key, Spill, _region, _resultHash) = (layer, key, spill, region, resultHash);
    }

    /// <summary>The layer.</summary>
    public PassLayer Layer { get; }

    /// <summary>The layer's work key.</summary>
    public LayerWorkKey Key { get; }

    /// <summary>The bytes <see cref="ICompressionPass.ComputeLayer"/> produced (read back from the spill file each time when spilled).</summary>
    public byte[] Result => _result ?? Spill!.Read(_region);

    /// <summary>SHA-256 of <see cref="Result"/>.</summary>
    public byte[] ResultHash => _resultHash ??= SHA256.HashData(Result);

    /// <summary>The spill file holding the result, also where the pass may keep the tensors it makes from it; null when held in memory.</summary>
    public SpillFile? Spill { get; }

    /// <summary>An outcome whose <paramref name="result"/> is written to <paramref name="spill"/> and dropped from memory.</summary>
    public static LayerOutcome Spilled(PassLayer layer, LayerWorkKey key, byte[] result, SpillFile spill)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spill);
        return new LayerOutcome(layer, key, spill, spill.Append(result), SHA256.HashData(result));
    }

    /// <summary>Deconstructs into layer, key and result (reads a spilled result back).</summary>
    public void Deconstruct(out PassLayer layer, out LayerWorkKey key, out byte[] result) => (layer, key, result) = (Layer, Key, Result);
}
