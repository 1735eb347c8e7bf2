using ModelCompress.Cache;

namespace ModelCompress.Tests.Cache;

public sealed class CacheEntryFormatTests
{
    private static readonly CacheKey Key = new(CacheEntryKind.LayerResult, new string('a', 64));

    [Fact]
    public void An_entry_reads_back_its_payload_and_compute_time()
    {
        byte[] payload = [1, 2, 3, 250, 0, 7];
        var bytes = CacheEntryFormat.Encode(Key, payload, 12.5);

        Assert.Equal(CacheEntryFormat.HeaderLength + payload.Length, bytes.Length);
        Assert.True(CacheEntryFormat.TryDecode(bytes, Key, out var entry, out var problem), problem);
        Assert.Equal(payload, entry!.Payload);
        Assert.Equal(12.5, entry.ComputeMilliseconds);
    }

    [Fact]
    public void Every_single_flipped_bit_anywhere_in_the_entry_is_detected()
    {
        var bytes = CacheEntryFormat.Encode(Key, [.. Enumerable.Range(0, 40).Select(i => (byte)i)], 3);

        for (var at = 0; at < bytes.Length; at++)
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var damaged = (byte[])bytes.Clone();
                damaged[at] ^= bit;
                Assert.False(CacheEntryFormat.TryDecode(damaged, Key, out var entry, out var problem), $"byte {at} bit {bit:x2} went unnoticed");
                Assert.Null(entry);
                Assert.NotEmpty(problem);
            }
        }
    }

    [Fact]
    public void Truncations_and_appended_bytes_are_detected_with_a_reason()
    {
        var bytes = CacheEntryFormat.Encode(Key, new byte[100], 1);

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(CacheEntryFormat.TryDecode(bytes.AsSpan(0, length), Key, out _, out var problem));
            Assert.Matches(length < CacheEntryFormat.HeaderLength ? "truncated" : "announces 100 payload bytes", problem);
        }

        Assert.False(CacheEntryFormat.TryDecode([.. bytes, 0], Key, out _, out var tail));
        Assert.Contains("file holds 101", tail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_under_another_key_or_kind_is_rejected()
    {
        var bytes = CacheEntryFormat.Encode(Key, [9], 1);

        Assert.False(CacheEntryFormat.TryDecode(bytes, new CacheKey(CacheEntryKind.LayerResult, new string('b', 64)), out _, out var other));
        Assert.Contains("another key", other, StringComparison.Ordinal);
        Assert.False(CacheEntryFormat.TryDecode(bytes, new CacheKey(CacheEntryKind.CalibrationStatistics, Key.Hex), out _, out var kind));
        Assert.Contains("kind", kind, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_key_is_64_lowercase_hex_digits_because_it_becomes_a_file_name(string hex)
    {
        Assert.Throws<ArgumentException>(() => new CacheKey(CacheEntryKind.LayerResult, hex));
    }
}
