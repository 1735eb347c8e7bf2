using ModelCompress.Onnx;

namespace SampleModelGenerator;

/// <summary>
/// A matched-filter classifier for 16 pure tones, written as an ordinary two-layer MLP so that it has real linear
/// layers to compress, and a real, checkable job: tell which tone a noisy 256-sample signal carries.
/// </summary>
/// <remarks>
/// Tone k is t_k[n] = sin(2π (k+1) n / 256). The nearest tone to a signal x maximises x·t_k − |t_k|²/2 (the
/// minimum-distance rule, |x − t_k|² expanded). The layers compute exactly that:
/// h = Relu(x W1) with W1 = [I | −I] gives h = [max(x,0), max(−x,0)], and logits = h W2 + b with W2 = [T; −T]
/// (T is 256×16, column k = t_k) and b_k = −|t_k|²/2, since max(x,0) − max(−x,0) = x.
/// </remarks>
public static class ToneClassifier
{
    public const int Samples = 256;
    public const int Tones = 16;

    /// <summary>Sample n of tone k (no noise).</summary>
    public static float Tone(int k, int n) => MathF.Sin(2f * MathF.PI * (k + 1) * n / Samples);

    public static OnnxModel Build()
    {
        var b = new OnnxModelBuilder("tone_classifier").Opset(17).Producer("SampleModelGenerator", "1");
        var g = b.Graph;
        g.Input("signal", TensorDataType.Float, "batch", Samples);

        var w1 = new float[Samples * 2 * Samples];
        for (var i = 0; i < Samples; i++)
        {
            w1[(i * 2 * Samples) + i] = 1f;
            w1[(i * 2 * Samples) + Samples + i] = -1f;
        }

        var w2 = new float[2 * Samples * Tones];
        var bias = new float[Tones];
        for (var k = 0; k < Tones; k++)
        {
            for (var n = 0; n < Samples; n++)
            {
                var t = Tone(k, n);
                w2[(n * Tones) + k] = t;
                w2[((Samples + n) * Tones) + k] = -t;
                bias[k] -= t * t / 2f;
            }
        }

        g.Initializer("rectifier.weight", [Samples, 2 * Samples], w1);
        g.Initializer("classifier.weight", [2 * Samples, Tones], w2);
        g.Initializer("classifier.bias", [Tones], bias);
        g.Node("MatMul", ["signal", "rectifier.weight"], ["/rectifier/MatMul_output_0"], "/rectifier/MatMul");
        g.Node("Relu", ["/rectifier/MatMul_output_0"], ["/rectifier/Relu_output_0"], "/rectifier/Relu");
        g.Node("MatMul", ["/rectifier/Relu_output_0", "classifier.weight"], ["/classifier/MatMul_output_0"], "/classifier/MatMul");
        g.Node("Add", ["/classifier/MatMul_output_0", "classifier.bias"], ["logits"], "/classifier/Add");
        g.Output("logits", TensorDataType.Float, "batch", Tones);
        return b.Build();
    }

    /// <summary>
    /// <paramref name="count"/> noisy tones: row i carries tone labels[i] plus Gaussian noise of <paramref name="noise"/>
    /// standard deviation. With noise 2.75 the fp32 model is right about 97% of the time (two tones are 16 apart,
    /// so a pairwise mistake needs noise beyond 8/σ ≈ 2.9 standard deviations along their difference).
    /// </summary>
    public static (float[] Signals, long[] Labels) NoisyTones(int count, float noise, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var signals = new float[count * Samples];
        var labels = new long[count];
        for (var i = 0; i < count; i++)
        {
            var k = rng.NextInt(Tones);
            labels[i] = k;
            for (var n = 0; n < Samples; n++)
            {
                signals[(i * Samples) + n] = Tone(k, n) + rng.NextNormal(noise);
            }
        }

        return (signals, labels);
    }
}
