using System.Security.Cryptography;
using ModelCompress.Cache;
using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>
/// A layer with its work key and its (computed or cached) serialized result, ready to apply. A streaming pass's
/// results are kept in a <see cref="SpillFile"/> instead of memory (<see cref="Spilled"/>), or, when read from the
/// cache, left in their verified entries' files (<see cref="Opened"/>): <see cref="Result"/> reads them back on each
/// call, so whoever applies them holds one layer's result at a time.
/// </summary>
public sealed class LayerOutcome
{
    private readonly byte[]? _result;
    private readonly SpillRegion _region;
    private readonly CachedPayload? _opened;
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

    private LayerOutcome(PassLayer layer, LayerWorkKey key, CachedPayload opened, SpillFile? spill)
    {
        (Layer, Key, _opened, _resultHash, Spill) = (layer, key, opened, opened.Sha256, spill);
    }

    /// <summary>The layer.</summary>
    public PassLayer Layer { get; }

    /// <summary>The layer's work key.</summary>
    public LayerWorkKey Key { get; }

    /// <summary>The bytes <see cref="ICompressionPass.ComputeLayer"/> produced (read back from the spill file each time when spilled).</summary>
    public byte[] Result => _result ?? _opened?.Read(0, _opened.Length) ?? Spill!.Read(_region);

    /// <summary>SHA-256 of <see cref="Result"/>.</summary>
    public byte[] ResultHash => _resultHash ??= SHA256.HashData(Result);

    /// <summary>Whether the result is read from its cache entry's file, left open and verified (<see cref="Opened"/>).</summary>
    public bool InCacheFile => _opened is not null;

    /// <summary>
    /// The run's spill file: where a spilled result lies, and where the pass may keep the tensors it makes (an opened
    /// result's run has one too, though its result stays in the cache's file); null when results are held in memory.
    /// </summary>
    public SpillFile? Spill { get; }

    /// <summary>
    /// The int8 weight tensor a pass puts in the graph for this layer, whose <paramref name="values"/> are the last bytes
    /// of <see cref="Result"/> (as <c>QuantizedLinear.FromBytes</c> decodes them: the values end the record). A spilled
    /// result's tensor reads those bytes from the spill file where the result already lies, so the weights are neither
    /// kept in memory nor written to the file a second time; an outcome held in memory gives an in-memory tensor.
    /// </summary>
    public OnnxTensor Int8Tensor(string name, long[] dims, sbyte[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_opened is { } opened)
        {
            // The generator captures the count, not the values: the decoded plan must not stay alive with the graph.
            var count = values.Length;
            var start = opened.Length - count;
            return start >= 0
                ? OnnxTensor.FromGenerator(name, TensorDataType.Int8, dims, s => opened.CopyTo(start, count, s))
                : throw new ArgumentException("The values are longer than the layer's result.", nameof(values));
        }

        if (Spill is null)
        {
            return OnnxTensor.FromInt8(name, dims, values);
        }

        if (values.Length > _region.Length)
        {
            throw new ArgumentException("The values are longer than the layer's result.", nameof(values));
        }

        return Spill.Tensor(name, TensorDataType.Int8, dims, new SpillRegion(_region.Offset + _region.Length - values.Length, values.Length));
    }

    /// <summary>The first <paramref name="count"/> bytes of <see cref="Result"/> at most, without reading a spilled result whole.</summary>
    public byte[] ResultHead(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _result is not null ? _result[..Math.Min(count, _result.Length)]
            : _opened is { } opened ? opened.Read(0, Math.Min(count, opened.Length))
            : Spill!.Read(_region with { Length = Math.Min(count, _region.Length) });
    }

    /// <summary>An outcome whose <paramref name="result"/> is written to <paramref name="spill"/> and dropped from memory.</summary>
    public static LayerOutcome Spilled(PassLayer layer, LayerWorkKey key, byte[] result, SpillFile spill)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spill);

        // The write and the hash read the same bytes independently: on two cores the hash costs no wall time beside the
        // write (a rebuild from the cache spills and hashes every result, 1.1 GB for a 1.1 B-parameter model at int8).
        var region = default(SpillRegion);
        var hash = Array.Empty<byte>();
        Parallel.Invoke(() => region = spill.Append(result), () => hash = SHA256.HashData(result));
        return new LayerOutcome(layer, key, spill, region, hash);
    }

    /// <summary>
    /// An outcome whose result stays in its verified cache entry's file (<paramref name="opened"/>): read back from there
    /// on each use, like a spilled one, without being copied into the spill file first; its hash was taken while the
    /// entry was verified.
    /// </summary>
    public static LayerOutcome Opened(PassLayer layer, LayerWorkKey key, CachedPayload opened, SpillFile? spill = null)
    {
        ArgumentNullException.ThrowIfNull(opened);
        return new LayerOutcome(layer, key, opened, spill);
    }

    /// <summary>Deconstructs into layer, key and result (reads a spilled result back).</summary>
    public void Deconstruct(out PassLayer layer, out LayerWorkKey key, out byte[] result) => (layer, key, result) = (Layer, Key, Result);
}
