using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelCompress.Calibration;
using ModelCompress.Data;
using ModelCompress.Execution;
using ModelCompress.Recipe;

namespace ModelCompress.Verification;

/// <summary>
/// The per-layer analysis as a segment consumer: each segment of the fp32 model exposes the inputs and outputs of the
/// int8 layers it holds (the planner never cuts between a layer's input and output), and each layer is simulated as
/// its sample arrives. A segment's result is its layers' running sums; its key adds to the fp32 segment's chain key
/// everything about those layers in the compressed model (int8 weights, scales, bias, activation parameters,
/// smoothing factors), so a segment is simulated again when its fp32 inputs or its int8 layers change.
/// </summary>
internal sealed class LayerErrorConsumer(IReadOnlyList<LayerProbe> probes, long sampleCount) : ISegmentConsumer
{
    public byte[] Fingerprint { get; } = "layer-errors.v1"u8.ToArray();

    /// <summary>Runs the fp32 model in segments over the verify samples and feeds every probe.</summary>
    public static void Measure(
        string modelName, SegmentPlan plan, IReadOnlyList<LayerProbe> probes, DataSource data, long maxSamples, CancellationToken ct, SegmentCacheContext segments)
    {
        var samples = DataFileReader.ReadSamples(data, CalibrationSources.ModelInputs(plan.Model), maxSamples);
        segments.Run(plan, CarriedTensor.Samples(samples), new LayerErrorConsumer(probes, samples.Count), OrtModelRunner.SegmentSessions(modelName), ct);
    }

    public byte[] SegmentFingerprint(IReadOnlyList<string> names)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in Measured(names))
        {
            var layer = p.Layer;
            Append(hash, Encoding.UTF8.GetBytes(string.Join("\n",
                layer.Name, layer.OpType, p.Input, p.Output, string.Join(";", layer.Node.Attributes.Select(a => a.ToString())),
                string.Join(",", layer.WeightShape), layer.Activation is { } a ? $"{a.Parameters.Scale:R}|{a.Parameters.ZeroPoint}|{a.Type}" : "dynamic")));
            Append(hash, System.Runtime.InteropServices.MemoryMarshal.AsBytes(layer.Weights.AsSpan()));
            Append(hash, System.Runtime.InteropServices.MemoryMarshal.AsBytes(layer.WeightScales.AsSpan()));
            Append(hash, layer.Bias is null ? [] : System.Runtime.InteropServices.MemoryMarshal.AsBytes(layer.Bias.AsSpan()));
            Append(hash, p.ReferenceWeight is null ? [] : SegmentModelBuilder.TensorHash(p.ReferenceWeight));
        }

        return hash.GetHashAndReset();
    }

    public void Observe(int sample, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values)
    {
        var measured = Measured(names).Where(p => p.Note is null).ToList();
        if (measured.Count == 0)
        {
            return;
        }

        var floats = new Dictionary<string, (float[] Values, long[] Shape)>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            floats[names[i]] = OrtModelRunner.ToFloats(values[i], names[i], "layer analysis");
        }

        foreach (var p in measured)
        {
            p.Add(floats[p.Input], floats[p.Output].Values);

            // A layer is observed in one segment, every sample in turn: after the last its simulator (the packed
            // int8 weights) is not needed, so only the current segment's layers hold theirs.
            if (sample == sampleCount - 1)
            {
                p.ReleaseSimulator();
            }
        }
    }

    public byte[] Encode(IReadOnlyList<string> names)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var measured = Measured(names);
        writer.Write(measured.Count);
        foreach (var p in measured)
        {
            writer.Write(p.Layer.Name);
            p.Write(writer);
        }

        writer.Flush();
        return stream.ToArray();
    }

    public bool Restore(IReadOnlyList<string> names, byte[] payload)
    {
        var measured = Measured(names);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            if (reader.ReadInt32() != measured.Count)
            {
                return false;
            }

            foreach (var p in measured)
            {
                if (reader.ReadString() != p.Layer.Name)
                {
                    return false;
                }

                p.Read(reader);
            }

            return reader.BaseStream.Position == payload.Length;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>The probes whose output is among <paramref name="names"/> (their input is too: they are observed together).</summary>
    private List<LayerProbe> Measured(IReadOnlyList<string> names)
    {
        var set = names.ToHashSet(StringComparer.Ordinal);
        return [.. probes.Where(p => set.Contains(p.Output)).OrderBy(p => p.Layer.Name, StringComparer.Ordinal)];
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> field)
    {
        hash.AppendData(BitConverter.GetBytes((long)field.Length));
        hash.AppendData(field);
    }
}
