using System.Buffers.Binary;

namespace ModelCompress.Calibration;

/// <summary>The histogram's byte encoding (for the calibration cache and the layer work keys).</summary>
public sealed partial class ActivationHistogram
{
    /// <summary>Bytes of one encoded histogram: R (double), count (int64), min, max (float), then the bin counts (int64).</summary>
    public const int EncodedLength = 8 + 8 + 4 + 4 + (8 * Bins);

    /// <summary>Writes the histogram's exact state, little-endian.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = new byte[EncodedLength];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, HalfRange);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), Count);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(16), Min);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(20), Max);
        for (var i = 0; i < Bins; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24 + (8 * i)), _counts[i]);
        }

        stream.Write(bytes);
    }

    /// <summary>Reads a histogram written by <see cref="WriteTo"/> at <paramref name="at"/>; false when the bytes are not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, ref int at, out ActivationHistogram? histogram)
    {
        histogram = null;
        if (bytes.Length - at < EncodedLength)
        {
            return false;
        }

        var span = bytes.Slice(at, EncodedLength);
        var h = new ActivationHistogram
        {
            HalfRange = BinaryPrimitives.ReadDoubleLittleEndian(span),
            Count = BinaryPrimitives.ReadInt64LittleEndian(span[8..]),
            Min = BinaryPrimitives.ReadSingleLittleEndian(span[16..]),
            Max = BinaryPrimitives.ReadSingleLittleEndian(span[20..]),
        };
        long total = 0;
        for (var i = 0; i < Bins; i++)
        {
            var c = BinaryPrimitives.ReadInt64LittleEndian(span[(24 + (8 * i))..]);
            if (c < 0)
            {
                return false;
            }

            h._counts[i] = c;
            total += c;
        }

        if (total != h.Count || h.HalfRange < 0 || double.IsNaN(h.HalfRange))
        {
            return false;
        }

        at += EncodedLength;
        histogram = h;
        return true;
    }
}
