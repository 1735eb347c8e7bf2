using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Engine.Segments;

namespace ModelCompress.Engine.Verification;

/// <summary>
/// Verification as a segment consumer: keeps the model's first output of every sample as floats (as
/// <see cref="OrtModelRunner"/> converts it), and stores them as the last segment's result, so a run whose model did
/// not change reads its outputs back instead of running it.
/// </summary>
internal sealed class OutputConsumer(string displayName, int sampleCount) : ISegmentConsumer
{
    private readonly (float[] Values, long[] Shape)[] _outputs = new (float[], long[])[sampleCount];

    public byte[] Fingerprint { get; } = "verification-outputs.v1"u8.ToArray();

    /// <summary>Each sample's first output, in sample order.</summary>
    public IReadOnlyList<(float[] Values, long[] Shape)> Outputs => _outputs;

    public void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values) =>
        _outputs[sample] = OrtModelRunner.ToFloats(values[0], names[0], displayName);

    public byte[] Encode(IReadOnlyList<string> names)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(_outputs.Length);
        foreach (var (values, shape) in _outputs)
        {
            writer.Write(shape.Length);
            foreach (var d in shape)
            {
                writer.Write(d);
            }

            writer.Write(values.Length);
            writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }

        writer.Flush();
        return stream.ToArray();
    }

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        ReadOnlySpan<byte> span = payload;
        var at = 0;
        if (!ActivationCodec.TryInt(span, ref at, out var count) || count != _outputs.Length)
        {
            return false;
        }

        var outputs = new (float[], long[])[count];
        for (var i = 0; i < count; i++)
        {
            if (!ActivationCodec.TryInt(span, ref at, out var rank) || rank < 0 || rank > 64 || span.Length - at < rank * 8)
            {
                return false;
            }

            var shape = new long[rank];
            for (var d = 0; d < rank; d++, at += 8)
            {
                shape[d] = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
            }

            if (!ActivationCodec.TryInt(span, ref at, out var length) || length < 0 || (span.Length - at) / 4 < length)
            {
                return false;
            }

            outputs[i] = (MemoryMarshal.Cast<byte, float>(span.Slice(at, length * 4)).ToArray(), shape);
            at += length * 4;
        }

        if (at != span.Length)
        {
            return false;
        }

        outputs.CopyTo(_outputs, 0);
        return true;
    }
}
