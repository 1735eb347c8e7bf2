using ModelCompress.Passes;

namespace ModelCompress.Cache;

/// <summary>
/// The content address of a cache entry: its kind and a SHA-256 as 64 lowercase hex digits. The hex becomes a file
/// name, so anything else is rejected here rather than trusted as a path.
/// </summary>
public readonly record struct CacheKey
{
    /// <summary>Creates a key; <paramref name="hex"/> must be 64 lowercase hexadecimal digits.</summary>
    public CacheKey(CacheEntryKind kind, string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 64 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new ArgumentException("a cache key is 64 lowercase hexadecimal digits", nameof(hex));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind));
        }

        Kind = kind;
        Hex = hex;
    }

    /// <summary>What the entry holds.</summary>
    public CacheEntryKind Kind { get; }

    /// <summary>The SHA-256, lowercase hex.</summary>
    public string Hex { get; }

    /// <summary>The key of one layer's work (<see cref="LayerWorkKey"/>).</summary>
    public static CacheKey ForLayer(LayerWorkKey key) => new(CacheEntryKind.LayerResult, key.Hex);

    /// <summary>The raw 32 hash bytes (stored in the entry header, so a misplaced file is detected).</summary>
    public byte[] ToBytes() => Convert.FromHexString(Hex);

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Hex}";
}
