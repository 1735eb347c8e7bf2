using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using ModelCompress.Onnx;
using ModelCompress.Passes;

namespace ModelCompress.Cache;

/// <summary>
/// Content digests of the models one run edits, for calibration keys, without serializing a model after every step.
/// The first digest of a model is a hash of the files it was just loaded from (<see cref="Loaded"/>), or else SHA-256 of
/// its serialized bytes. After a step, the model is what the pass's
/// <see cref="ICompressionPass.Apply"/> made of the model before it and the step's layer results — a deterministic
/// function (the same contract that lets a cached result stand in for a computed one), and each result is itself
/// determined by its <see cref="LayerWorkKey"/> — so the digest after the step is a hash of the digest before, the pass,
/// its settings and every layer's key and result. Two runs whose models got the same digest this way hold models with
/// the same bytes; a model first seen after a step the run did not track is serialized and hashed instead.
/// <para>
/// Scoped to one run (one <see cref="Engine.CacheSession"/>), keyed by model instance: only the run's own pass runner edits
/// those instances, so a digest never outlives the content it describes.
/// </para>
/// </summary>
internal sealed class ModelDigests
{
    private static readonly byte[] Domain = "modelcompress.model-after-step.v1"u8.ToArray();
    private static readonly byte[] LoadedDomain = "modelcompress.model-files.v1"u8.ToArray();

    private readonly ConditionalWeakTable<OnnxModel, byte[]> _digests = [];

    /// <summary>How many models were serialized to be hashed (the expensive path).</summary>
    public int Serialized { get; private set; }

    /// <summary>The digest of <paramref name="model"/> as it stands.</summary>
    public byte[] Of(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_digests.TryGetValue(model, out var digest))
        {
            return digest;
        }

        digest = CalibrationCacheKey.ModelHash(model);
        Serialized++;
        _digests.AddOrUpdate(model, digest);
        return digest;
    }

    /// <summary>
    /// Records that <paramref name="model"/> was just loaded from <paramref name="files"/> (the model file, then its
    /// external data files) and not changed since: its digest is a hash of those files' contents, which determine it,
    /// so the model need not be serialized to be hashed. The model file's hash taken while it was loaded is used
    /// rather than reading the file again.
    /// </summary>
    public void Loaded(OnnxModel model, IReadOnlyList<string> files, Func<string, byte[]>? fileHash = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(LoadedDomain);
        Append(hash, BitConverter.GetBytes(files.Count));
        for (var i = 0; i < files.Count; i++)
        {
            // The model file was hashed as it was parsed (OnnxModel.Load): those are the bytes the model came from.
            if (i == 0 && model.LoadedFile is { } loaded && string.Equals(loaded.Path, Path.GetFullPath(files[0]), StringComparison.Ordinal))
            {
                Append(hash, loaded.Sha256);
                continue;
            }

            if (fileHash is not null)
            {
                Append(hash, fileHash(files[i]));
                continue;
            }

            using var stream = File.OpenRead(files[i]);
            Append(hash, SHA256.HashData(stream));
        }

        _digests.AddOrUpdate(model, hash.GetHashAndReset());
    }

    /// <summary>
    /// Records that <paramref name="passName"/> with <paramref name="settingsFingerprint"/> applied
    /// <paramref name="outcomes"/> (each layer's work key and the SHA-256 of its result) to <paramref name="model"/>. Without a digest of the model before the step there is
    /// nothing to chain from, and the next <see cref="Of"/> hashes the model's bytes.
    /// </summary>
    public void Applied(OnnxModel model, string passName, string settingsFingerprint, string keyVersion, IReadOnlyList<(string KeyHex, byte[] ResultHash)> outcomes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (!_digests.TryGetValue(model, out var before))
        {
            return;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        Append(hash, before);
        Append(hash, Encoding.UTF8.GetBytes(passName));
        Append(hash, Encoding.UTF8.GetBytes(settingsFingerprint));
        Append(hash, Encoding.UTF8.GetBytes(keyVersion));
        Append(hash, BitConverter.GetBytes(outcomes.Count));
        foreach (var outcome in outcomes)
        {
            Append(hash, Encoding.UTF8.GetBytes(outcome.KeyHex));
            Append(hash, outcome.ResultHash);
        }

        _digests.AddOrUpdate(model, hash.GetHashAndReset());
    }

    /// <summary>The digest of <paramref name="model"/> when this run follows it (loaded or chained), else null; never serializes.</summary>
    public byte[]? Tracked(OnnxModel model) => _digests.TryGetValue(model, out var digest) ? digest : null;

    /// <summary>Forgets <paramref name="model"/>'s digest (after an edit this class cannot follow).</summary>
    public void Forget(OnnxModel model) => _digests.Remove(model);

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, field.Length);
        hash.AppendData(length);
        hash.AppendData(field);
    }
}
