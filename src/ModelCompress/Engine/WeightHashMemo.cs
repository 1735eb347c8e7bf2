using System.Text;
using ModelCompress.Cache;
using ModelCompress.Passes;

namespace ModelCompress.Engine;

/// <summary>
/// The SHA-256 of every layer's weights, kept in the cache per model digest, so that a rebuild of an unchanged model
/// does not read and hash all its weights again to form the layer keys (at a billion parameters that is gigabytes of
/// reading per step). A model's digest (<see cref="ModelDigests"/>: its files' hashes, then each step's pass, settings,
/// keys and results) determines its tensors, so the layers a pass finds in it and their weight hashes follow from the
/// digest, the pass and its settings. A stored list that does not name the same layers in the same order is ignored.
/// </summary>
internal static class WeightHashMemo
{
    private const int HashBytes = 32;

    /// <summary>
    /// Gives each layer its stored weight hash when the cache has them for this model and pass; returns the key to
    /// store them under after hashing (null: restored, or no digest to key them by), and whether they were restored.
    /// </summary>
    public static (CacheKey? StoreUnder, bool Restored) Restore(ILayerCache? cache, byte[]? modelDigest, string keyVersion, ICompressionPass pass, IReadOnlyList<PassLayer> layers)
    {
        if (cache is null || modelDigest is null || layers.Count == 0)
        {
            return (null, false);
        }

        var key = MemoKey.Of("modelcompress.weight-hashes.v1", MemoKey.Text(keyVersion), modelDigest, MemoKey.Text(pass.Name), MemoKey.Text(pass.SettingsFingerprint));
        if (cache.TryGet(key) is { } entry && Decode(entry.Payload, layers) is { } hashes)
        {
            for (var i = 0; i < layers.Count; i++)
            {
                layers[i].UseKnownWeightHash(hashes[i]);
            }

            return (null, true);
        }

        return (key, false);
    }

    /// <summary>Stores the layers' weight hashes (after they were computed) under <paramref name="key"/>.</summary>
    public static void Store(ILayerCache cache, CacheKey key, IReadOnlyList<PassLayer> layers)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(layers.Count);
            foreach (var layer in layers)
            {
                writer.Write(layer.Name);
                writer.Write(layer.Descriptor);
                writer.Write(layer.WeightHash);
            }
        }

        cache.Put(key, payload.ToArray(), 0);
    }

    /// <summary>The stored hashes in layer order, or null unless they name exactly these layers.</summary>
    private static byte[][]? Decode(byte[] payload, IReadOnlyList<PassLayer> layers)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            if (reader.ReadInt32() != layers.Count)
            {
                return null;
            }

            var hashes = new byte[layers.Count][];
            for (var i = 0; i < layers.Count; i++)
            {
                if (reader.ReadString() != layers[i].Name || reader.ReadString() != layers[i].Descriptor)
                {
                    return null;
                }

                hashes[i] = reader.ReadBytes(HashBytes);
                if (hashes[i].Length != HashBytes)
                {
                    return null;
                }
            }

            return reader.BaseStream.Position == payload.Length ? hashes : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
