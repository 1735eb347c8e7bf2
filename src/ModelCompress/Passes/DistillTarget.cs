using ModelCompress.Onnx;

namespace ModelCompress.Passes;

/// <summary>What kind of compressed layer distillation re-fits, which decides its free parameters.</summary>
internal enum DistillKind
{
    /// <summary>A float weight (pruned: its zeros stay zero); closed-form masked ridge regression.</summary>
    Float,

    /// <summary>A DequantizeLinear of integer values with fixed scales; Adam through a straight-through estimator.</summary>
    Quantized,

    /// <summary>A codebook gathered by fixed indices; Adam on the centroids.</summary>
    Clustered,

    /// <summary>Two MatMuls X·A·B; alternating closed-form least squares.</summary>
    LowRank,
}

/// <summary>
/// One student layer distillation works on, with everything its fit needs besides the captured inputs: the student's
/// parameters in [K, N] layout, how they are stored in the graph, the bias, and the teacher's weight and bias of the
/// same layer.
/// </summary>
internal sealed record DistillTarget
{
    public required DistillKind Kind { get; init; }

    /// <summary>The student node whose output must match the teacher's (for low rank, the second MatMul).</summary>
    public required OnnxNode Node { get; init; }

    /// <summary>The student's activation feeding the layer (for low rank, the first MatMul's input).</summary>
    public required string Input { get; init; }

    /// <summary>The teacher's activation feeding the matching layer.</summary>
    public required string TeacherInput { get; init; }

    public required int K { get; init; }

    public required int N { get; init; }

    /// <summary>Whether the stored weight is [N, K] (Gemm transB) rather than [K, N].</summary>
    public bool Transposed { get; init; }

    /// <summary>The student's effective weight, [K, N].</summary>
    public required float[] Weight { get; init; }

    /// <summary>The value the layer reads its weight from (Float), or the stored integer / A tensor's name.</summary>
    public string ParameterName { get; init; } = string.Empty;

    /// <summary>Quantized: the integer values [K, N], scales and zero points per element, and the integer range.</summary>
    public int[]? Q { get; init; }

    public float[]? Scale { get; init; }

    public int[]? Zero { get; init; }

    public int QMin { get; init; }

    public int QMax { get; init; }

    public TensorDataType QType { get; init; }

    /// <summary>The node that reads <see cref="ParameterName"/> (DequantizeLinear, or the low-rank first MatMul).</summary>
    public OnnxNode? ParameterReader { get; init; }

    /// <summary>Clustered: the codebook and the indices in [K, N] order.</summary>
    public ClusteredWeight? Clusters { get; init; }

    /// <summary>Low rank: A [K, r], B [r, N], r.</summary>
    public float[]? A { get; init; }

    public float[]? B { get; init; }

    public int Rank { get; init; }

    /// <summary>The student's bias, its value name and the node/input that reads it (Gemm: scaled by beta).</summary>
    public float[]? Bias { get; init; }

    public string? BiasName { get; init; }

    public OnnxNode? BiasReader { get; init; }

    public float BiasScale { get; init; } = 1f;

    /// <summary>The teacher's weight [K, N] and bias (null when it has none).</summary>
    public required float[] TeacherWeight { get; init; }

    public float[]? TeacherBias { get; init; }

    /// <summary>A Conv's patch view: the captured rows are its unfolded patches, <see cref="Weight"/> the stored kernel [M, C/g·k…].</summary>
    public Calibration.ConvPatches? Patches { get; init; }

    /// <summary>The student's display name.</summary>
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Outputs[0];

    /// <summary>Everything above as bytes, for the layer's key (the captured inputs are keyed by the engine).</summary>
    public byte[] KeyBytes(byte[] teacherUpstream)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write((int)Kind);
        writer.Write(K);
        writer.Write(N);
        writer.Write(teacherUpstream);
        writer.Write(TeacherInput);
        Floats(writer, Weight);
        Floats(writer, TeacherWeight);
        Floats(writer, TeacherBias);
        Floats(writer, Bias);
        Floats(writer, Scale);
        Floats(writer, A);
        Floats(writer, B);
        Floats(writer, Clusters?.Codebook);
        writer.Write(Clusters?.Indices ?? []);
        foreach (var v in Q ?? [])
        {
            writer.Write(v);
        }

        foreach (var v in Zero ?? [])
        {
            writer.Write(v);
        }

        writer.Write(QMin);
        writer.Write(QMax);
        writer.Flush();
        return System.Security.Cryptography.SHA256.HashData(stream.ToArray());
    }

    private static void Floats(BinaryWriter writer, float[]? values)
    {
        writer.Write(values?.Length ?? -1);
        foreach (var v in values ?? [])
        {
            writer.Write(v);
        }
    }
}
