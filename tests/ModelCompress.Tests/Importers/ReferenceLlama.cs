using ModelCompress.Importers;

namespace ModelCompress.Tests.Importers;

/// <summary>
/// An independent, straightforward re-statement of run.c's forward pass (token by token, with a KV cache), used as the
/// reference the ONNX graph is compared with. Written for clarity, not speed.
/// </summary>
public static class ReferenceLlama
{
    /// <summary>The logits of every position, row-major [tokens.Length, vocab].</summary>
    public static float[] Forward(Llama2cCheckpoint w, IReadOnlyList<int> tokens)
    {
        var c = w.Config;
        int dim = c.Dim, hs = c.HeadSize, kvDim = c.KvDim, kvMul = c.KvMultiplier, vocab = c.VocabSize;
        var keys = new float[c.Layers][];
        var values = new float[c.Layers][];
        for (var l = 0; l < c.Layers; l++)
        {
            keys[l] = new float[tokens.Count * kvDim];
            values[l] = new float[tokens.Count * kvDim];
        }

        var logits = new float[tokens.Count * vocab];
        for (var pos = 0; pos < tokens.Count; pos++)
        {
            var x = w.TokenEmbeddings.Span.Slice(tokens[pos] * dim, dim).ToArray();
            for (var l = 0; l < c.Layers; l++)
            {
                var xb = RmsNorm(x, w.Layer(w.AttentionNorm, l).Span);
                var q = MatVec(w.Layer(w.Wq, l).Span, xb, dim);
                var k = MatVec(w.Layer(w.Wk, l).Span, xb, kvDim);
                var v = MatVec(w.Layer(w.Wv, l).Span, xb, kvDim);
                for (var i = 0; i < dim; i += 2)
                {
                    var freq = 1.0f / MathF.Pow(10000.0f, i % hs / (float)hs);
                    var angle = pos * freq;
                    float fcr = MathF.Cos(angle), fci = MathF.Sin(angle);
                    Rotate(q, i, fcr, fci);
                    if (i < kvDim)
                    {
                        Rotate(k, i, fcr, fci);
                    }
                }

                k.CopyTo(keys[l], pos * kvDim);
                v.CopyTo(values[l], pos * kvDim);
                var attended = new float[dim];
                for (var h = 0; h < c.Heads; h++)
                {
                    var kvOffset = h / kvMul * hs;
                    var scores = new float[pos + 1];
                    for (var t = 0; t <= pos; t++)
                    {
                        var s = 0f;
                        for (var i = 0; i < hs; i++)
                        {
                            s += q[(h * hs) + i] * keys[l][(t * kvDim) + kvOffset + i];
                        }

                        scores[t] = s / MathF.Sqrt(hs);
                    }

                    Softmax(scores);
                    for (var t = 0; t <= pos; t++)
                    {
                        for (var i = 0; i < hs; i++)
                        {
                            attended[(h * hs) + i] += scores[t] * values[l][(t * kvDim) + kvOffset + i];
                        }
                    }
                }

                Add(x, MatVec(w.Layer(w.Wo, l).Span, attended, dim));
                xb = RmsNorm(x, w.Layer(w.FfnNorm, l).Span);
                var gate = MatVec(w.Layer(w.W1, l).Span, xb, c.HiddenDim);
                var up = MatVec(w.Layer(w.W3, l).Span, xb, c.HiddenDim);
                for (var i = 0; i < gate.Length; i++)
                {
                    gate[i] = gate[i] * (1.0f / (1.0f + MathF.Exp(-gate[i]))) * up[i];
                }

                Add(x, MatVec(w.Layer(w.W2, l).Span, gate, dim));
            }

            var final = RmsNorm(x, w.FinalNorm.Span);
            MatVec(w.Classifier.Span, final, vocab).CopyTo(logits, pos * vocab);
        }

        return logits;
    }

    private static float[] RmsNorm(float[] x, ReadOnlySpan<float> weight)
    {
        var ss = 0f;
        foreach (var v in x)
        {
            ss += v * v;
        }

        ss = 1.0f / MathF.Sqrt((ss / x.Length) + 1e-5f);
        var o = new float[x.Length];
        for (var j = 0; j < x.Length; j++)
        {
            o[j] = weight[j] * (ss * x[j]);
        }

        return o;
    }

    /// <summary>W (rows, x.Length) row-major times x.</summary>
    private static float[] MatVec(ReadOnlySpan<float> w, float[] x, int rows)
    {
        var o = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var acc = 0f;
            for (var j = 0; j < x.Length; j++)
            {
                acc += w[(r * x.Length) + j] * x[j];
            }

            o[r] = acc;
        }

        return o;
    }

    private static void Rotate(float[] v, int i, float fcr, float fci)
    {
        float v0 = v[i], v1 = v[i + 1];
        v[i] = (v0 * fcr) - (v1 * fci);
        v[i + 1] = (v0 * fci) + (v1 * fcr);
    }

    private static void Softmax(float[] x)
    {
        var max = x.Max();
        var sum = 0f;
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }

        for (var i = 0; i < x.Length; i++)
        {
            x[i] /= sum;
        }
    }

    private static void Add(float[] x, float[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }
}
