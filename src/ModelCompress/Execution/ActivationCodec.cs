using System.Buffers.Binary;
using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Cache;

namespace ModelCompress.Execution;

/// <summary>
/// The payload of an activations entry: the values crossing one cut for every sample. Little-endian: int32 value
/// count, int32 sample count; per value its UTF-8 name (int32 length first) and int32 element type; then per sample,
/// per value: int32 rank, int64 dims, int64 byte length, the bytes. The entry's checksum has been verified before this
/// runs; decoding still checks every length against the payload and the names against what the run expects.
/// </summary>
internal static class ActivationCodec
{
    /// <summary>The payload bytes (an array of exactly <see cref="Length"/> bytes).</summary>
    public static byte[] Encode(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples)
    {
        var bytes = new byte[Length(names, samples)];
        using var stream = new MemoryStream(bytes);
        Write(stream, names, samples);
        return bytes;
    }

    /// <summary>The payload's length in bytes.</summary>
    public static long Length(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples)
    {
        long length = 8 + names.Sum(n => 8L + Encoding.UTF8.GetByteCount(n));
        foreach (var sample in samples)
        {
            length += names.Sum(n => 4L + (8L * sample[n].Shape.Length) + 8 + sample[n].Data.Length);
        }

        return length;
    }

    /// <summary>
    /// Writes the payload to <paramref name="stream"/>: the tensors' bytes go straight through, so a cut's activations
    /// are written to the cache file without a whole copy in memory.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<string> names, IReadOnlyList<IReadOnlyDictionary<string, CarriedTensor>> samples)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(names.Count);
        writer.Write(samples.Count);
        foreach (var name in names)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            writer.Write(bytes.Length);
            writer.Write(bytes);
            writer.Write((int)(samples.Count == 0 ? TensorElementType.Float : samples[0][name].Type));
        }

        foreach (var sample in samples)
        {
            foreach (var name in names)
            {
                var tensor = sample[name];
                writer.Write(tensor.Shape.Length);
                foreach (var d in tensor.Shape)
                {
                    writer.Write(d);
                }

                writer.Write((long)tensor.Data.Length);
                writer.Write(tensor.Data);
            }
        }

        writer.Flush();
    }

    /// <summary>Decodes a payload holding exactly <paramref name="names"/> for <paramref name="sampleCount"/> samples; null otherwise.</summary>
    public static List<Dictionary<string, CarriedTensor>>? TryDecode(ReadOnlySpan<byte> payload, IReadOnlyList<string> names, int sampleCount)
    {
        var at = 0;
        if (!CacheEntryFormat.TryInt(payload, ref at, out var count) || count != names.Count || !CacheEntryFormat.TryInt(payload, ref at, out var samples) || samples != sampleCount)
        {
            return null;
        }

        var types = new TensorElementType[count];
        for (var v = 0; v < count; v++)
        {
            if (!CacheEntryFormat.TryInt(payload, ref at, out var length) || length < 0 || length > payload.Length - at
                || Encoding.UTF8.GetString(payload.Slice(at, length)) != names[v])
            {
                return null;
            }

            at += length;
            if (!CacheEntryFormat.TryInt(payload, ref at, out var type))
            {
                return null;
            }

            types[v] = (TensorElementType)type;
        }

        var result = new List<Dictionary<string, CarriedTensor>>(samples);
        for (var s = 0; s < samples; s++)
        {
            var sample = new Dictionary<string, CarriedTensor>(count, StringComparer.Ordinal);
            for (var v = 0; v < count; v++)
            {
                if (!CacheEntryFormat.TryInt(payload, ref at, out var rank) || rank < 0 || rank > 64 || payload.Length - at < (rank * 8) + 8)
                {
                    return null;
                }

                var shape = new long[rank];
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = BinaryPrimitives.ReadInt64LittleEndian(payload[at..]);
                    at += 8;
                }

                var bytes = BinaryPrimitives.ReadInt64LittleEndian(payload[at..]);
                at += 8;
                if (bytes < 0 || bytes > payload.Length - at)
                {
                    return null;
                }

                sample[names[v]] = new CarriedTensor(types[v], shape, payload.Slice(at, (int)bytes).ToArray());
                at += (int)bytes;
            }

            result.Add(sample);
        }

        return at == payload.Length ? result : null;
    }
}
