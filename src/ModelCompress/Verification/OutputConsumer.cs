using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompress.Execution;

namespace ModelCompress.Verification;

/// <summary>
/// Verification as a segment consumer: keeps the model's observed outputs of every sample as floats (as
/// <see cref="OrtModelRunner"/> converts them), and stores them as the last segment's result, so a run whose model did
/// not change reads its outputs back instead of running it.
/// </summary>
internal sealed class OutputConsumer(string displayName, int sampleCount) : ISegmentConsumer
{
    private readonly Dictionary<string, (float[] Values, long[] Shape)>[] _outputs =
        [.. Enumerable.Range(0, sampleCount).Select(_ => new Dictionary<string, (float[], long[])>(StringComparer.Ordinal))];

    public byte[] Fingerprint { get; } = "verification-outputs.v2"u8.ToArray();

    /// <summary>Each sample's outputs named by <paramref name="names"/>, in sample order and in the order asked.</summary>
    public IReadOnlyList<IReadOnlyList<(float[] Values, long[] Shape)>> Outputs(IReadOnlyList<string> names) =>
        [.. _outputs.Select(sample => (IReadOnlyList<(float[], long[])>)[.. names.Select(n => sample[n])])];

    public void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values)
    {
        for (var i = 0; i < names.Count; i++)
        {
            _outputs[sample][names[i]] = OrtModelRunner.ToFloats(values[i], names[i], displayName);
        }
    }

    /// <summary>Keeps one sample's outputs computed elsewhere (a model run whole), to be encoded like observed ones.</summary>
    public void Keep(int sample, IReadOnlyList<string> names, IReadOnlyList<(float[] Values, long[] Shape)> outputs)
    {
        for (var i = 0; i < names.Count; i++)
        {
            _outputs[sample][names[i]] = outputs[i];
        }
    }

    // Stored as the activations of the observed values (ActivationCodec): every sample's outputs as float32 with shapes.
    public byte[] Encode(IReadOnlyList<string> names) =>
        ActivationCodec.Encode(names, [.. _outputs.Select(sample => (IReadOnlyDictionary<string, CarriedTensor>)names.ToDictionary(
            n => n,
            n => new CarriedTensor(TensorElementType.Float, sample[n].Shape, MemoryMarshal.AsBytes(sample[n].Values.AsSpan()).ToArray()),
            StringComparer.Ordinal))]);

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        if (ActivationCodec.TryDecode(payload, names, _outputs.Length) is not { } samples
            || samples.Any(s => names.Any(n => s[n].Type != TensorElementType.Float || s[n].Data.Length % sizeof(float) != 0)))
        {
            return false;
        }

        for (var i = 0; i < _outputs.Length; i++)
        {
            foreach (var n in names)
            {
                var tensor = samples[i][n];
                _outputs[i][n] = (MemoryMarshal.Cast<byte, float>(tensor.Data).ToArray(), tensor.Shape);
            }
        }

        return true;
    }
}
