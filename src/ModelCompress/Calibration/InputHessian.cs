using System.Buffers.Binary;
using System.Numerics;

namespace ModelCompress.Calibration;

/// <summary>
/// The Gram matrix H = XᵀX of one layer input over every calibration row (a row is one vector along the channel
/// axis), the second-order information of GPTQ (Frantar et al., 2022, §3) and SparseGPT (Frantar and Alistarh, 2023,
/// §3): for a linear layer's squared reconstruction error ‖WX − ŴX‖², the Hessian with respect to one output's
/// weights is 2XXᵀ, the same for every output, so one K×K matrix per input serves every layer that reads it (Q/K/V).
/// <para>
/// Streamed: each sample's rows are folded in and released. Sums are taken in double, row after row in sample order,
/// element by element without fused multiply-add or reordering, so the same rows give the same bits on every CPU.
/// Only the upper triangle is accumulated; <see cref="Matrix"/> mirrors it.
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

        // Rows go in chunks so that each row segment of the sum stays in cache while the chunk's rows are folded into
        // it; every element still receives its rows' products one after another in row order.
        const int chunk = 32;
        var rows = values.Length / k;
        var x = new double[chunk * k];
        for (var r0 = 0; r0 < rows; r0 += chunk)
        {
            var count = Math.Min(chunk, rows - r0);
            for (var t = 0; t < count * k; t++)
            {
                x[t] = values[(r0 * k) + t];
            }

            // Rows of the sum are independent: wide inputs fold them on several threads, each row's products still
            // in row order (same bits on any thread count).
            if (k >= ParallelChannels)
            {
                Parallel.For(0, k, i => FoldRow(x, i, count));
            }
            else
            {
                for (var i = 0; i < k; i++)
                {
                    FoldRow(x, i, count);
                }
            }

            Rows += count;
        }
    }

    // Below this many channels a chunk's fold is too small to be worth handing to other threads.
    private const int ParallelChannels = 128;

    private void FoldRow(double[] x, int i, int count)
    {
        var k = Channels;
        var target = _sum.AsSpan((i * k) + i, k - i);
        for (var r = 0; r < count; r++)
        {
            var xi = x[(r * k) + i];
            if (xi != 0)
            {
                AddScaled(target, xi, x.AsSpan((r * k) + i, k - i));
            }
        }
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

    // target += scale · x, element by element (a multiply, then an add: never fused, so every CPU rounds alike).
    private static void AddScaled(Span<double> target, double scale, ReadOnlySpan<double> x)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var s = new Vector<double>(scale);
            for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var product = s * new Vector<double>(x[i..]);
                (new Vector<double>(target[i..]) + product).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            var product = scale * x[i];
            target[i] += product;
        }
    }
}
