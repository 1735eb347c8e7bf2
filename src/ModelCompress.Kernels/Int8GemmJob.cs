using System.Runtime.CompilerServices;

namespace ModelCompress.Kernels;

/// <summary>
/// One GEMM call's state: packed activations, compensation row, tiling, and the shared tile counter the workers
/// draw from. See <see cref="Int8GemmDriver"/> for the layout and blocking.
/// </summary>
internal sealed unsafe class Int8GemmJob : IDisposable
{
    // Packing A is shared among the workers only when A is large enough to be worth it.
    private const long ParallelPackBytes = 256 * 1024;
    private const int PackChunkPanels = 8;

    private readonly Int8GemmKernel _kernel;
    private readonly byte* _a;
    private readonly int _m;
    private readonly uint _flip;
    private readonly PackedInt8Weights _b;
    private readonly int* _c;
    private readonly Int8GemmEpilogue? _epilogue;
    private readonly int _mr;
    private readonly int _rowGroupBytes;
    private readonly int _microPanels;
    private readonly int _mBlockPanels;
    private readonly int _mBlocks;
    private readonly int _nBlockPanels;
    private readonly int _nBlocks;
    private readonly int _workers;
    private int* _init;
    private byte* _aPacked;
    private readonly int _packChunks;
    private readonly bool _parallelPack;
    private int _nextTile;
    private int _nextPackChunk;
    private int _packedChunks;
    private Exception? _failure;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Int8GemmJob(
        Int8GemmKernel kernel, byte* a, int m, bool signedA, int shiftedZeroPoint, PackedInt8Weights b, int* c,
        Int8GemmEpilogue? epilogue, int threads)
    {
        _kernel = kernel;
        _a = a;
        _m = m;
        _flip = signedA ? 0x80808080u : 0u;
        _b = b;
        _c = c;
        _epilogue = epilogue;
        _mr = kernel.RowTile;
        _rowGroupBytes = kernel.PackedRowGroupBytes;
        _microPanels = (m + _mr - 1) / _mr;
        _mBlockPanels = (Int8GemmDriver.MBlockRows + _mr - 1) / _mr;
        _mBlocks = (_microPanels + _mBlockPanels - 1) / _mBlockPanels;

        // With several workers, cut N finer until there are about 4 tiles per worker (load balance on a shared
        // machine); alone, keep tiles wide. Tile shape never changes the result, only the speed.
        int wantedNBlocks = threads > 1 ? Math.Max(1, (4 * threads + _mBlocks - 1) / _mBlocks) : 1;
        _nBlockPanels = Math.Clamp((b.Panels + wantedNBlocks - 1) / wantedNBlocks, 1, Int8GemmDriver.MaxNBlockPanels);
        _nBlocks = (b.Panels + _nBlockPanels - 1) / _nBlockPanels;
        _workers = Math.Max(1, Math.Min(threads, _mBlocks * _nBlocks));
        _packChunks = (_microPanels + PackChunkPanels - 1) / PackChunkPanels;
        _parallelPack = _workers > 1 && (long)m * b.K >= ParallelPackBytes;

        // Compensation row (first K block starts from it): −z·Σₖ B[k,n], wrapping like the sums themselves.
        int paddedN = b.Panels * PackedInt8Weights.PanelWidth;
        _init = Int8GemmDriver.Allocate<int>(paddedN);
        var sums = b.PaddedColumnSums;
        for (int n = 0; n < paddedN; n++)
        {
            _init[n] = unchecked(-shiftedZeroPoint * sums[n]);
        }

        _aPacked = Int8GemmDriver.Allocate<byte>((long)_microPanels * b.Groups * _mr * _rowGroupBytes);
    }

    public void Execute()
    {
        if (!_parallelPack)
        {
            PackAll();
        }

        if (_workers == 1)
        {
            Work();
        }
        else
        {
            Int8GemmWorkers.Run(this, _workers - 1);
        }

        if (_failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
        }
    }

    /// <summary>
    /// One participant's share: pack chunks of A (when packing is shared), then claim tiles until none are left.
    /// Runs on the caller and on helper threads; never throws (a failure is kept and rethrown by the caller).
    /// </summary>
    public void Work()
    {
        try
        {
            if (_parallelPack)
            {
                PackAll();
                var spin = default(SpinWait);
                while (Volatile.Read(ref _packedChunks) < _packChunks && _failure is null)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }

            ComputeTiles();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }
    }

    public void Dispose()
    {
        Int8GemmDriver.Free(_init);
        Int8GemmDriver.Free(_aPacked);
        _init = null;
        _aPacked = null;
    }

    private void PackAll()
    {
        int i;
        while ((i = Interlocked.Increment(ref _nextPackChunk) - 1) < _packChunks)
        {
            int q0 = i * PackChunkPanels;
            PackMicroPanels(q0, Math.Min(_microPanels, q0 + PackChunkPanels));
            Interlocked.Increment(ref _packedChunks);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackMicroPanels(int q0, int q1)
    {
        int k = _b.K;
        int groups = _b.Groups;
        int fullGroups = k / 4;
        int groupStride = _mr * _rowGroupBytes;
        bool widen = _kernel.WidensActivations;
        for (int q = q0; q < q1; q++)
        {
            for (int r = 0; r < _mr; r++)
            {
                int row = q * _mr + r;
                byte* src = _a + ((long)row * k);
                for (int g0 = 0; g0 < groups; g0 += Int8GemmDriver.KBlockGroups)
                {
                    int blockGroups = _b.BlockGroups(g0);
                    byte* dst = _aPacked + (((long)g0 * _microPanels) + ((long)q * blockGroups)) * groupStride + (r * _rowGroupBytes);
                    for (int gi = 0; gi < blockGroups; gi++)
                    {
                        int g = g0 + gi;
                        uint v = row >= _m ? 0u
                            : g < fullGroups ? Unsafe.ReadUnaligned<uint>(src + (4 * g)) ^ _flip
                            : Tail(src + (4 * g), k - (4 * g));
                        Write(dst + ((long)gi * groupStride), v, widen);
                    }
                }
            }
        }
    }

    /// <summary>The last, partial group: <paramref name="count"/> real depths, the rest zero.</summary>
    private uint Tail(byte* src, int count)
    {
        // Depths past K are zero (their weights are zero too, so any value would do; zero is tidy).
        uint v = 0;
        for (int t = 0; t < count; t++)
        {
            v |= (uint)(src[t] ^ (byte)_flip) << (8 * t);
        }

        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(byte* dst, uint fourBytes, bool widen)
    {
        if (!widen)
        {
            Unsafe.WriteUnaligned(dst, fourBytes);
            return;
        }

        // Zero-extend 4 bytes to 4 little-endian uint16: b3b2b1b0 → 00b3 00b2 00b1 00b0.
        ulong x = fourBytes;
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFFUL;
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FFUL;
        Unsafe.WriteUnaligned(dst, x);
    }

    private void ComputeTiles()
    {
        int tiles = _mBlocks * _nBlocks;
        int ldScratch = _nBlockPanels * PackedInt8Weights.PanelWidth;
        // A contiguous tile buffer for this worker. It takes the sums when an epilogue follows (cache-hot for it), and
        // when K spans several blocks, so the tile revisited once per K block is one dense run rather than rows
        // N·4 bytes apart (often a multiple of 4 KB, which maps them onto the same cache sets).
        bool useScratch = _epilogue is not null || _b.Groups > Int8GemmDriver.KBlockGroups;
        int* scratch = useScratch ? Int8GemmDriver.Allocate<int>((long)_mBlockPanels * _mr * ldScratch) : null;
        try
        {
            int t;
            while ((t = Interlocked.Increment(ref _nextTile) - 1) < tiles)
            {
                RunTile(t / _nBlocks, t % _nBlocks, scratch, ldScratch);
            }
        }
        finally
        {
            if (scratch != null)
            {
                Int8GemmDriver.Free(scratch);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunTile(int mBlock, int nBlock, int* scratch, int ldScratch)
    {
        int n = _b.N;
        int groups = _b.Groups;
        int q0 = mBlock * _mBlockPanels;
        int q1 = Math.Min(_microPanels, q0 + _mBlockPanels);
        int row0 = q0 * _mr;
        int rows = Math.Min(_m, q1 * _mr) - row0;
        int p0 = nBlock * _nBlockPanels;
        int p1 = Math.Min(_b.Panels, p0 + _nBlockPanels);
        int col0 = p0 * PackedInt8Weights.PanelWidth;
        int cols = Math.Min(n, p1 * PackedInt8Weights.PanelWidth) - col0;

        int* cTile = scratch != null ? scratch : _c + (long)row0 * n + col0;
        int ldc = scratch != null ? ldScratch : n;
        int groupStride = _mr * _rowGroupBytes;
        for (int g0 = 0; g0 < groups; g0 += Int8GemmDriver.KBlockGroups)
        {
            int gCount = _b.BlockGroups(g0);
            byte* aBlock = _aPacked + ((long)g0 * _microPanels * groupStride);
            for (int p = p0; p < p1; p++)
            {
                sbyte* bPanel = _b.Data + _b.SliceOffset(p, g0);
                int pCol = (p - p0) * PackedInt8Weights.PanelWidth;
                int pCols = Math.Min(PackedInt8Weights.PanelWidth, cols - pCol);
                int* init = g0 == 0 ? _init + (long)p * PackedInt8Weights.PanelWidth : null;
                for (int q = q0; q < q1; q++)
                {
                    int qRow = (q - q0) * _mr;
                    byte* aPanel = aBlock + ((long)q * gCount * groupStride);
                    _kernel.MicroTile(
                        aPanel, bPanel, gCount, Math.Min(_mr, rows - qRow), pCols, cTile + (long)qRow * ldc + pCol, ldc, init);
                }
            }
        }

        if (_epilogue is not null)
        {
            _epilogue.Apply(cTile, ldc, row0, rows, col0, cols);
        }
        else if (scratch != null)
        {
            for (int r = 0; r < rows; r++)
            {
                new ReadOnlySpan<int>(scratch + ((long)r * ldc), cols).CopyTo(new Span<int>(_c + ((long)(row0 + r) * n) + col0, cols));
            }
        }
    }
}
