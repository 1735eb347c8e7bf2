using System.Buffers.Binary;

namespace ModelCompress.Fuzz;

/// <summary>
/// Byte-level mutations in the style of AFL's havoc stage: bit flips, interesting values (boundaries of 8/16/32/64-bit
/// integers, protobuf varint extremes, NaN/Inf floats), inserted/deleted/duplicated ranges, splices from another input.
/// Seeded, so a run can be repeated.
/// </summary>
public sealed class Mutator
{
    private static readonly long[] Interesting =
    [
        0, 1, -1, 2, 7, 8, 16, 32, 64, 100, 127, 128, 255, 256, 1024, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 40, -2,
    ];

    private static readonly byte[][] Tokens =
    [
        "\n"u8.ToArray(), ": "u8.ToArray(), "- "u8.ToArray(), "{ }"u8.ToArray(), "[ ]"u8.ToArray(), "&a "u8.ToArray(),
        "*a"u8.ToArray(), "!!binary "u8.ToArray(), "\""u8.ToArray(), "'"u8.ToArray(), "../"u8.ToArray(), "/etc/passwd"u8.ToArray(),
        "1e400"u8.ToArray(), "-1"u8.ToArray(), "nan"u8.ToArray(), ".inf"u8.ToArray(), "99999999999999999999"u8.ToArray(),
        "\t"u8.ToArray(), "\0"u8.ToArray(), "'shape': (-1, 3)"u8.ToArray(), "'descr': '<f8'"u8.ToArray(),
    ];

    private readonly Random _random;

    /// <summary>Creates a mutator seeded with <paramref name="seed"/>.</summary>
    public Mutator(int seed) => _random = new Random(seed);

    /// <summary>A mutated copy of <paramref name="input"/> (1–8 stacked mutations); <paramref name="other"/> feeds splices.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(other);
        var data = new List<byte>(input);
        var count = 1 << _random.Next(4);
        for (var i = 0; i < count; i++)
        {
            MutateOnce(data, other);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, byte[] other)
    {
        if (data.Count == 0)
        {
            data.Add((byte)_random.Next(256));
            return;
        }

        var at = _random.Next(data.Count);
        switch (_random.Next(11))
        {
            case 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                Overwrite(data, at, Little(Interesting[_random.Next(Interesting.Length)], 1 << _random.Next(4)));
                break;
            case 3:
                Overwrite(data, at, Varint(Interesting[_random.Next(Interesting.Length)]));
                break;
            case 4:
                Overwrite(data, at, BitConverter.GetBytes(_random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => -0f }));
                break;
            case 5:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(Math.Min(64, data.Count))));
                break;
            case 6:
                data.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(16)).Select(_ => (byte)_random.Next(256)));
                break;
            case 7:
                var len = Math.Min(data.Count - at, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count), data.GetRange(at, len));
                break;
            case 8:
                data.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 9:
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    Overwrite(data, at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(256))).ToArray());
                }

                break;
            default:
                data.RemoveRange(at, data.Count - at);
                break;
        }
    }

    private static void Overwrite(List<byte> data, int at, byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (at + i < data.Count)
            {
                data[at + i] = bytes[i];
            }
            else
            {
                data.Add(bytes[i]);
            }
        }
    }

    private static byte[] Little(long value, int size)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes[..size];
    }

    private static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        var v = (ulong)value;
        do
        {
            var b = (byte)(v & 0x7F);
            v >>= 7;
            bytes.Add(v != 0 ? (byte)(b | 0x80) : b);
        }
        while (v != 0);
        return [.. bytes];
    }
}
