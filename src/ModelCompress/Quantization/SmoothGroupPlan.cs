namespace ModelCompress.Quantization;

/// <summary>
/// One smoothing group's result: the α used, the smoothing vector s, and per member layer (in group order) the α
/// search's curve. Serialized for the per-layer cache (layer names are not part of it: they are not inputs of the work).
/// </summary>
/// <param name="Alpha">The α the vector was computed with.</param>
/// <param name="Scales">s_j per input channel.</param>
/// <param name="Layers">Per member layer: best α, MSE curve, MSE without smoothing and at the chosen α (names empty).</param>
internal sealed record SmoothGroupPlan(double Alpha, float[] Scales, IReadOnlyList<SmoothedLayer> Layers)
{
    // Version 2 appends the headroom the factors were made with (version 1 entries of a cache read back as NaN: unknown).
    private const int Version = 2;

    /// <summary>The headroom the factors keep (<c>headroom: auto</c> chooses it per group); NaN when not recorded.</summary>
    public double Headroom { get; init; } = double.NaN;

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(Version);
            w.Write(Alpha);
            w.Write(Scales.Length);
            foreach (var s in Scales)
            {
                w.Write(s);
            }

            w.Write(Layers.Count);
            foreach (var layer in Layers)
            {
                w.Write(layer.BestAlpha ?? double.NaN);
                w.Write(layer.MseWithoutSmoothing ?? double.NaN);
                w.Write(layer.MseAtChosenAlpha ?? double.NaN);
                w.Write(layer.Curve.Count);
                foreach (var p in layer.Curve)
                {
                    w.Write(p.Alpha);
                    w.Write(p.Mse);
                }
            }

            w.Write(Headroom);
        }

        return stream.ToArray();
    }

    public static SmoothGroupPlan FromBytes(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        var version = r.ReadInt32();
        if (version is not (1 or Version))
        {
            throw new InvalidDataException("Unknown smoothing plan encoding.");
        }

        var alpha = r.ReadDouble();
        var scales = new float[r.ReadInt32()];
        for (var i = 0; i < scales.Length; i++)
        {
            scales[i] = r.ReadSingle();
        }

        var layers = new SmoothedLayer[r.ReadInt32()];
        for (var i = 0; i < layers.Length; i++)
        {
            var best = r.ReadDouble();
            var plain = r.ReadDouble();
            var chosen = r.ReadDouble();
            var curve = new AlphaPoint[r.ReadInt32()];
            for (var c = 0; c < curve.Length; c++)
            {
                curve[c] = new AlphaPoint(r.ReadDouble(), r.ReadDouble());
            }

            layers[i] = new SmoothedLayer(string.Empty, Nullable(best), curve, Nullable(plain), Nullable(chosen));
        }

        return new SmoothGroupPlan(alpha, scales, layers) { Headroom = version >= 2 ? r.ReadDouble() : double.NaN };
    }

    private static double? Nullable(double v) => double.IsNaN(v) ? null : v;
}
