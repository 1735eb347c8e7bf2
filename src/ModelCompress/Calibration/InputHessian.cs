using System.Buffers.Binary;

namespace ModelCompress.Calibration;

/// <summary>
/// The Gram matrix H = XᵀX of one layer input over every calibration row (a row is one vector along the channel
/// axis), the second-order information of GPTQ (Frantar et al., 2022, §3) and SparseGPT (Frantar and Alistarh, 2023,
/// §3): for a linear layer's squared reconstruction error ‖WX − ŴX‖², the Hessian with respect to one output's
/// weights is 2XXᵀ, the same for every output, so one K×K matrix per input serves every layer that reads it (Q/K/V).
/// <para>
/// Streamed: each sample's rows are folded in and released. Sums are taken in double, row after row in sample order,
/// element by element without fused multiply-add or reordering, so the same rows give the same bits on every CPU.
/// Only the upper triangle is read (the fold also fills a few elements below the diagonal); <see cref="Matrix"/> mirrors it.
/// </para>
/// </summary>
public sealed class InputHessian
{
    private readonly double[] _sum;

    /// <summary>An empty accumulator for inputs of <paramref name="channels"/> channels.</summary>
    public InputHessian(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        Channels = channels;
        _sum = new double[(long)channels * channels];
    }

    private InputHessian(int channels, long rows, double[] sum)
    {
        Channels = channels;
        Rows = rows;
        _sum = sum;
    }

    /// <summary>K, the number of input channels.</summary>
    public int Channels { get; }

    /// <summary>How many rows were folded in.</summary>
    public long Rows { get; private set; }

    /// <summary>Folds the rows of <paramref name="values"/> (row-major [rows, <see cref="Channels"/>]) into the sum.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        var k = Channels;
        if (k == 0 || values.Length % k != 0)
        {
            throw new ArgumentException("values are not whole channel vectors", nameof(values));
        }

        // A register-tiled fold (same products in the same order per element: same bits as one row at a time).
        HessianFold.Add(_sum, k, values);
        Rows += values.Length / k;
    }

    /// <summary>The full symmetric matrix Σ xxᵀ, row-major [K, K] (a new array).</summary>
    public double[] Matrix()
    {
        var k = Channels;
        var h = (double[])_sum.Clone();
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < i; j++)
            {
                h[(i * k) + j] = h[(j * k) + i];
            }
        }

        return h;
    }

    /// <summary>Bytes of the encoding for <paramref name="channels"/> channels.</summary>
    public static long EncodedLength(int channels) => 4 + 8 + (8L * channels * (channels + 1) / 2);

    /// <summary>Writes K (int32), the row count (int64) and the upper triangle row by row (doubles), little-endian.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var k = Channels;
        var bytes = new byte[EncodedLength(k)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, k);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), Rows);
        var at = 12;
        for (var i = 0; i < k; i++)
        {
            for (var j = i; j < k; j++, at += 8)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at), _sum[(i * k) + j]);
            }
        }

        stream.Write(bytes);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote at <paramref name="at"/>; false when the bytes are not that.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, ref int at, out InputHessian? hessian)
    {
        hessian = null;
        if (bytes.Length - at < 12)
        {
            return false;
        }

        var k = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        var rows = BinaryPrimitives.ReadInt64LittleEndian(bytes[(at + 4)..]);
        if (k < 0 || rows < 0 || k > 1 << 15 || bytes.Length - at < EncodedLength(k))
        {
            return false;
        }

        var sum = new double[(long)k * k];
        var p = at + 12;
        for (var i = 0; i < k; i++)
        {
            for (var j = i; j < k; j++, p += 8)
            {
                sum[(i * k) + j] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[p..]);
            }
        }

        at = p;
        hessian = new InputHessian(k, rows, sum);
        return true;
    }
}
