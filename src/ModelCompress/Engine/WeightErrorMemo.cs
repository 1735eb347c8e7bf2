using ModelCompress.Cache;
using ModelCompress.Passes;

namespace ModelCompress.Engine;

/// <summary>
/// The report's largest weight rounding error per layer, kept in the cache for a weight-streaming step, so that a
/// rebuild whose layers all come from the cache does not read every float weight again only to fill that column. A
/// layer's error is a function of its weights and its result, both fixed by its work key, so the step's errors are
/// stored under the pass and every layer's key; a stored list that does not decode is ignored.
/// </summary>
internal static class WeightErrorMemo
{
    /// <summary>The key of a step's errors: the pass, its settings and every layer's work key, in order.</summary>
    public static CacheKey KeyOf(ICompressionPass pass, IReadOnlyList<LayerOutcome> outcomes) =>
        MemoKey.Of("modelcompress.weight-errors.v1", [MemoKey.Text(pass.Name), MemoKey.Text(pass.SettingsFingerprint), .. outcomes.Select(o => MemoKey.Text(o.Key.Hex))]);

    /// <summary>The stored errors by layer key, or null when there are none that decode.</summary>
    public static IReadOnlyDictionary<string, double?>? Restore(ILayerCache cache, CacheKey key)
    {
        if (cache.TryGet(key) is not { } entry)
        {
            return null;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(entry.Payload));
            var errors = new Dictionary<string, double?>(StringComparer.Ordinal);
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                var layerKey = reader.ReadString();
                errors[layerKey] = reader.ReadBoolean() ? reader.ReadDouble() : null;
            }

            return reader.BaseStream.Position == entry.Payload.Length ? errors : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Stores the errors of <paramref name="rows"/> (rows without a layer key are not layers' and are left out).</summary>
    public static void Store(ILayerCache cache, CacheKey key, IReadOnlyList<LayerReport> rows)
    {
        var keyed = rows.Where(r => r.Key.Length > 0).DistinctBy(r => r.Key).ToList();
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(keyed.Count);
            foreach (var row in keyed)
            {
                writer.Write(row.Key);
                writer.Write(row.MaxAbsWeightError.HasValue);
                if (row.MaxAbsWeightError is { } error)
                {
                    writer.Write(error);
                }
            }
        }

        cache.Put(key, payload.ToArray(), 0);
    }
}
