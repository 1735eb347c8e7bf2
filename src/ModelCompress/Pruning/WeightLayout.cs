namespace ModelCompress.Pruning;

/// <summary>
/// A layer's weight seen as a logical matrix [N outputs × K inputs]: row n holds the weights output channel n
/// multiplies its K inputs by, in the order of the reduction (the order a sparse GEMM reads them). Pruning math works
/// on this view only; <see cref="Gather"/> and <see cref="Scatter"/> translate to and from the stored layout:
/// <list type="bullet">
/// <item>MatMul and Gemm: stored [K, N] (column n of the matrix) or, with Gemm's transB, [N, K] (row n);</item>
/// <item>Conv: stored [C_out, C_in/group, kh, kw, ...]; the logical reduction index is <c>s·C + c</c> for kernel
/// position s and input channel c, so M consecutive logical weights are M input channels at one kernel position —
/// the channel-innermost order of an implicit GEMM over NHWC data, which sparse tensor cores prune along.</item>
/// </list>
/// </summary>
public sealed class WeightLayout
{
    private readonly int[] _offsets;

    private WeightLayout(int rows, int cols, int channelsPerPosition, int[] offsets)
    {
        Rows = rows;
        Cols = cols;
        ChannelsPerPosition = channelsPerPosition;
        _offsets = offsets;
    }

    /// <summary>Output channels N.</summary>
    public int Rows { get; }

    /// <summary>Reduction length K per output.</summary>
    public int Cols { get; }

    /// <summary>
    /// The run of consecutive logical weights that belong to one kernel position (Conv: C_in/group; MatMul/Gemm: K).
    /// An N:M group must not straddle two runs.
    /// </summary>
    public int ChannelsPerPosition { get; }

    /// <summary>Whether N:M groups of <paramref name="m"/> tile every row without straddling a kernel position.</summary>
    public bool FitsGroupsOf(int m) => m > 0 && ChannelsPerPosition % m == 0;

    /// <summary>A MatMul (or Gemm without transB) weight stored [K, N].</summary>
    public static WeightLayout KByN(int k, int n)
    {
        var offsets = new int[checked(k * n)];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < k; c++)
            {
                offsets[(r * k) + c] = (c * n) + r;
            }
        }

        return new WeightLayout(n, k, k, offsets);
    }

    /// <summary>A Gemm transB weight stored [N, K]: the logical view is the storage.</summary>
    public static WeightLayout NByK(int n, int k) =>
        new(n, k, k, Enumerable.Range(0, checked(n * k)).ToArray());

    /// <summary>A Conv kernel stored [C_out, C_in/group, spatial...].</summary>
    public static WeightLayout Conv(IReadOnlyList<long> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var outputs = checked((int)dims[0]);
        var channels = checked((int)dims[1]);
        var positions = 1;
        for (var d = 2; d < dims.Count; d++)
        {
            positions = checked(positions * (int)dims[d]);
        }

        var k = checked(channels * positions);
        var offsets = new int[checked(outputs * k)];
        for (var r = 0; r < outputs; r++)
        {
            for (var s = 0; s < positions; s++)
            {
                for (var c = 0; c < channels; c++)
                {
                    offsets[(r * k) + (s * channels) + c] = (r * k) + (c * positions) + s;
                }
            }
        }

        return new WeightLayout(outputs, k, channels, offsets);
    }

    /// <summary>The layout of a weight of <paramref name="opType"/> with <paramref name="dims"/> and output axis <paramref name="channelAxis"/>.</summary>
    public static WeightLayout For(string opType, IReadOnlyList<long> dims, int channelAxis)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (opType == "Conv")
        {
            return Conv(dims);
        }

        if (dims.Count != 2)
        {
            throw new ArgumentException($"a {opType} weight must be 2-D, not [{string.Join(",", dims)}]", nameof(dims));
        }

        return channelAxis == 0 ? NByK((int)dims[0], (int)dims[1]) : KByN((int)dims[0], (int)dims[1]);
    }

    /// <summary>The stored weights as the logical row-major [N, K] matrix.</summary>
    public float[] Gather(ReadOnlySpan<float> stored)
    {
        if (stored.Length != _offsets.Length)
        {
            throw new ArgumentException($"expected {_offsets.Length} weights, got {stored.Length}", nameof(stored));
        }

        var logical = new float[_offsets.Length];
        for (var i = 0; i < logical.Length; i++)
        {
            logical[i] = stored[_offsets[i]];
        }

        return logical;
    }

    /// <summary>A logical [N, K] matrix back in the stored layout.</summary>
    public float[] Scatter(ReadOnlySpan<float> logical)
    {
        if (logical.Length != _offsets.Length)
        {
            throw new ArgumentException($"expected {_offsets.Length} weights, got {logical.Length}", nameof(logical));
        }

        var stored = new float[_offsets.Length];
        for (var i = 0; i < stored.Length; i++)
        {
            stored[_offsets[i]] = logical[i];
        }

        return stored;
    }
}
