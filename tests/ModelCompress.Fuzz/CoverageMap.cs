using System.Runtime.InteropServices;
using SharpFuzz.Common;

namespace ModelCompress.Fuzz;

/// <summary>
/// Edge coverage from SharpFuzz's instrumentation, read in process: instrumented assemblies bump
/// <c>Trace.SharedMem[prev ^ here]</c> on every branch; after each input the hit counts are bucketed as AFL does
/// (1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+) and an input that sets a bucket never seen before is kept. Without
/// instrumentation (the CI build) the map stays empty and the loop falls back to outcome feedback alone.
/// </summary>
public sealed unsafe class CoverageMap : IDisposable
{
    private const int Size = 1 << 16;
    private readonly byte* _map;
    private readonly byte[] _seen = new byte[Size];

    /// <summary>Allocates the map and points the instrumentation at it.</summary>
    public CoverageMap()
    {
        _map = (byte*)NativeMemory.AllocZeroed(Size);
        Trace.SharedMem = _map;
        Trace.PrevLocation = 0;
    }

    /// <summary>How many edge buckets have been seen so far.</summary>
    public int Edges { get; private set; }

    /// <summary>Clears the per-input counts (call before each input).</summary>
    public void Reset()
    {
        new Span<byte>(_map, Size).Clear();
        Trace.PrevLocation = 0;
    }

    /// <summary>Merges the last input's counts; true when it reached a bucket never seen before.</summary>
    public bool Merge()
    {
        var fresh = false;
        var map = new ReadOnlySpan<byte>(_map, Size);
        var at = map.IndexOfAnyExcept((byte)0);
        while (at >= 0)
        {
            var bit = Bucket(map[at]);
            if ((_seen[at] & bit) == 0)
            {
                if (_seen[at] == 0)
                {
                    Edges++;
                }

                _seen[at] |= bit;
                fresh = true;
            }

            var next = map[(at + 1)..].IndexOfAnyExcept((byte)0);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return fresh;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Trace.SharedMem = null;
        NativeMemory.Free(_map);
    }

    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        < 8 => 8,
        < 16 => 16,
        < 32 => 32,
        < 128 => 64,
        _ => 128,
    };
}
