using ModelCompress.Cache;
using ModelCompress.Passes;

namespace ModelCompress.Engine;

/// <summary>
/// Values a pass derives from the model as it stood before its step but that are not a layer's work (dynamic int8's
/// embedding tables: a 32000 × 2048 table is 262 MB of float read and quantized on every run), kept in the cache so a
/// rebuild of an unchanged model reads them back. The model's digest (<see cref="ModelDigests"/>) determines its
/// tensors, so the value follows from the digest, the pass, its settings, the engine version and the value's name.
/// The pass decodes what it gets back and computes again what does not decode.
/// </summary>
internal static class ModelDerivedMemo
{
    /// <summary>
    /// The memo for one step over a model whose digest before the step is <paramref name="modelDigest"/>; null (compute
    /// every time) without a cache or a tracked digest.
    /// </summary>
    public static Func<string, Func<byte[]>, byte[]>? For(ILayerCache? cache, byte[]? modelDigest, ICompressionPass pass, string engineVersion)
    {
        if (cache is null || modelDigest is null)
        {
            return null;
        }

        return (name, compute) =>
        {
            var key = MemoKey.Of(
                "modelcompress.model-derived.v1", modelDigest, MemoKey.Text(pass.Name), MemoKey.Text(pass.SettingsFingerprint), MemoKey.Text(engineVersion),
                MemoKey.Text(name));
            if (cache.TryGet(key) is { } entry)
            {
                return entry.Payload;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var value = compute();
            cache.Put(key, value, clock.Elapsed.TotalMilliseconds);
            return value;
        };
    }
}
