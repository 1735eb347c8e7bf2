using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Execution;

namespace ModelCompress.Verification;

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

    // Stored as the activations of one value (ActivationCodec): every sample's output as float32 with its shape.
    public byte[] Encode(IReadOnlyList<string> names) =>
        ActivationCodec.Encode(names, [.. _outputs.Select(o => (IReadOnlyDictionary<string, CarriedTensor>)new Dictionary<string, CarriedTensor>
        {
            [names[0]] = new(TensorElementType.Float, o.Shape, MemoryMarshal.AsBytes(o.Values.AsSpan()).ToArray()),
        })]);

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        if (ActivationCodec.TryDecode(payload, names, _outputs.Length) is not { } samples
            || samples.Any(s => s[names[0]].Type != TensorElementType.Float || s[names[0]].Data.Length % sizeof(float) != 0))
        {
            return false;
        }

        for (var i = 0; i < _outputs.Length; i++)
        {
            var tensor = samples[i][names[0]];
            _outputs[i] = (MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray(), tensor.Shape);
        }

        return true;
    }
}
