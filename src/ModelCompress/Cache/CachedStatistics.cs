using System.Collections;
using System.Diagnostics.CodeAnalysis;
using ModelCompress.Calibration;
using ModelCompress.Passes;

namespace ModelCompress.Cache;

/// <summary>
/// A step's input statistics read back from the cache (<see cref="StatisticsCodec"/>): each value's hash is known at
/// once from the verified index, so layer keys need nothing else; a value's statistics are read, verified and decoded
/// the first time they are asked for, which happens only for a layer whose result is not in the cache.
/// <para>
/// When a part is missing (evicted) or fails verification (MC6001, reported by the loader), the whole step is
/// calibrated again through <c>recollect</c> and every later request, hashes included, is answered from those fresh
/// statistics: nothing from a damaged entry is ever used.
/// </para>
/// </summary>
internal sealed class CachedStatistics : IReadOnlyDictionary<string, LayerInputStatistics>
{
    private readonly IReadOnlyDictionary<string, byte[]> _hashes;
    private readonly Func<byte[], LayerInputStatistics?> _load;
    private readonly Func<IReadOnlyDictionary<string, LayerInputStatistics>> _recollect;
    private readonly Func<LayerInputStatistics, byte[]> _hashOf;
    private readonly Dictionary<string, LayerInputStatistics> _loaded = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, LayerInputStatistics>? _fresh;

    /// <param name="hashes">Value name → SHA-256 of its statistics' bytes, from the verified index.</param>
    /// <param name="load">Reads and verifies the part with that hash; null when it is missing or damaged.</param>
    /// <param name="recollect">Calibrates the step again (and stores the result).</param>
    /// <param name="hashOf">The hash of freshly collected statistics.</param>
    public CachedStatistics(
        IReadOnlyDictionary<string, byte[]> hashes,
        Func<byte[], LayerInputStatistics?> load,
        Func<IReadOnlyDictionary<string, LayerInputStatistics>> recollect,
        Func<LayerInputStatistics, byte[]> hashOf)
    {
        _hashes = hashes;
        _load = load;
        _recollect = recollect;
        _hashOf = hashOf;
    }

    /// <summary>Whether the statistics had to be collected again because a part was missing or damaged.</summary>
    public bool Recollected => _fresh is not null;

    /// <inheritdoc />
    public int Count => _hashes.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _hashes.Keys;

    /// <inheritdoc />
    public IEnumerable<LayerInputStatistics> Values => Keys.Select(k => this[k]);

    /// <inheritdoc />
    public LayerInputStatistics this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No statistics for '{key}'.");

    /// <summary>The SHA-256 of <paramref name="name"/>'s statistics' bytes, without reading them when they come from the index.</summary>
    public byte[] HashOf(string name) => _fresh is { } fresh ? _hashOf(fresh[name]) : _hashes[name];

    /// <inheritdoc />
    public bool ContainsKey(string key) => _hashes.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out LayerInputStatistics value)
    {
        if (!_hashes.TryGetValue(key, out var hash))
        {
            value = null;
            return false;
        }

        if (_fresh is { } fresh)
        {
            return fresh.TryGetValue(key, out value);
        }

        if (_loaded.TryGetValue(key, out value))
        {
            return true;
        }

        if (_load(hash) is { } loaded)
        {
            _loaded[key] = value = loaded;
            return true;
        }

        _fresh = _recollect();
        return _fresh.TryGetValue(key, out value);
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, LayerInputStatistics>> GetEnumerator() =>
        Keys.Select(k => new KeyValuePair<string, LayerInputStatistics>(k, this[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
