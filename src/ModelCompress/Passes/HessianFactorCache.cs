using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ModelCompress.Calibration;

namespace ModelCompress.Passes;

/// <summary>
/// Factorizations of input Hessians shared by every GPTQ / SparseGPT pass of the process, keyed by the Hessian's
/// contents and the dampening. The factor depends on nothing else, so candidates that differ only in what they do
/// with it (int4 GPTQ with blocks of 128 and of 32 in a tuning run; a rebuild in the same build node) factor each
/// Hessian once. On char-GPT the six 1536-channel factorizations are ~7 s of a ~9 s GPTQ solve on 2 cores.
/// The key hashes the values themselves, not the statistics object: a candidate whose statistics are read back from
/// the cache holds an equal Hessian in a different object. Bounded (least recently used goes first) so a long-lived
/// build node does not keep every factor it ever made.
/// </summary>
internal static class HessianFactorCache
{
    // About 13 factors of 1536 channels; char-GPT's 25 layers need ~135 MB in all.
    private const long CapacityBytes = 256L << 20;

    private static readonly Lock Gate = new();
    private static readonly LinkedList<(string Key, Int4WeightOnlyPass.FactorResult Value, long Size)> Order = new();
    private static readonly Dictionary<string, LinkedListNode<(string Key, Int4WeightOnlyPass.FactorResult Value, long Size)>> Entries = new(StringComparer.Ordinal);
    private static long _bytes;

    /// <summary>The factor of <paramref name="hessian"/> damped by <paramref name="percdamp"/>, made once per distinct pair.</summary>
    public static Int4WeightOnlyPass.FactorResult Get(InputHessian hessian, double percdamp)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        var matrix = hessian.Matrix();
        var key = Key(matrix, hessian.Channels, percdamp);
        lock (Gate)
        {
            if (Entries.TryGetValue(key, out var node))
            {
                Order.Remove(node);
                Order.AddFirst(node);
                return node.Value.Value;
            }
        }

        // Factored outside the lock: two threads racing on one key both compute the same deterministic value.
        var result = Int4WeightOnlyPass.FactorResult.Create(matrix, hessian.Channels, percdamp);
        var size = SizeOf(result, hessian.Channels);
        lock (Gate)
        {
            if (Entries.TryGetValue(key, out var existing) || size > CapacityBytes)
            {
                return existing?.Value.Value ?? result;
            }

            Entries[key] = Order.AddFirst((key, result, size));
            _bytes += size;
            while (_bytes > CapacityBytes && Order.Last is { } last)
            {
                Order.RemoveLast();
                Entries.Remove(last.Value.Key);
                _bytes -= last.Value.Size;
            }
        }

        return result;
    }

    private static long SizeOf(Int4WeightOnlyPass.FactorResult result, int channels) =>
        result.Factor is null ? 64 : (8L * channels * channels) + channels + 64;

    private static string Key(double[] matrix, int channels, double percdamp)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(head, channels);
        BinaryPrimitives.WriteDoubleLittleEndian(head[4..], percdamp);
        hash.AppendData(head);
        hash.AppendData(MemoryMarshal.AsBytes(matrix.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
