namespace ModelCompress.Quantization;

/// <summary>
/// Gradient refits of one linear layer where no closed form exists, on a <see cref="LayerFitProblem"/> (whose gradient
/// is exact and closed form): Adam (Kingma and Ba, 2015; β₁ 0.9, β₂ 0.999, ε 1e-8) on
/// <list type="bullet">
/// <item>quantized weights through a straight-through estimator (Bengio et al., 2013): a float latent weight L is kept,
/// the loss is taken at its rounded value W = (clamp(round(L/s) + z, qmin, qmax) − z)·s with the scales s fixed, and
/// ∂E/∂W is applied to L as if rounding were the identity;</item>
/// <item>cluster centroids: W[i] = c[idx[i]] so ∂E/∂c_j = Σ over the weights of cluster j of ∂E/∂W[i].</item>
/// </list>
/// Each step uses all captured rows (the sufficient statistics make a full-batch gradient cost K²N, less than
/// mini-batches over R rows would), so the result has no sampling noise and no seed. The best iterate by error is kept,
/// so the layer never ends worse on the captured rows than it started.
/// </summary>
public static class GradientFit
{
    /// <summary>Adam steps per epoch.</summary>
    public const int StepsPerEpoch = 16;

    /// <summary>
    /// Quantized values of [K, N] after STE training, with the bias (when given) and the errors before and after. The
    /// latent (full-precision) weight of the straight-through estimator starts at <paramref name="shadow"/>'s value where
    /// that value rounds to the current code — the float weight the code was rounded from, so that a small step flips the
    /// codes nearest a rounding boundary first, as quantization-aware training does — and at the code's value elsewhere.
    /// </summary>
    public static (int[] Q, float[]? Bias, double Before, double After) Quantized(
        LayerFitProblem p, int[] q, float[] scale, int[] zero, int qmin, int qmax, float[]? bias, int epochs, double learningRate, float[]? shadow = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(zero);
        var latent = new float[q.Length];
        for (var i = 0; i < q.Length; i++)
        {
            latent[i] = (q[i] - zero[i]) * scale[i];
            if (shadow is not null && Math.Abs(shadow[i] - latent[i]) <= 0.5f * scale[i])
            {
                latent[i] = shadow[i];
            }
        }

        var current = (int[])q.Clone();
        var best = (int[])q.Clone();
        var b = bias is null ? null : (float[])bias.Clone();
        var bestBias = bias is null ? null : (float[])bias.Clone();
        var w = new float[q.Length];
        var gw = new float[q.Length];
        var gb = b is null ? null : new float[b.Length];
        var adamW = new Adam(q.Length, learningRate);
        var adamB = b is null ? null : new Adam(b.Length, learningRate);
        double before = double.NaN, bestError = double.PositiveInfinity;
        for (var step = 0; step <= epochs * StepsPerEpoch; step++)
        {
            for (var i = 0; i < w.Length; i++)
            {
                w[i] = (current[i] - zero[i]) * scale[i];
            }

            var error = p.ErrorAndGradient(w, b, gw, gb);
            before = step == 0 ? error : before;
            if (error < bestError)
            {
                bestError = error;
                Array.Copy(current, best, best.Length);
                if (b is not null)
                {
                    Array.Copy(b, bestBias!, b.Length);
                }
            }

            if (step == epochs * StepsPerEpoch)
            {
                break;
            }

            adamW.Step(latent, gw);
            if (b is not null)
            {
                adamB!.Step(b, gb!);
            }

            for (var i = 0; i < latent.Length; i++)
            {
                current[i] = Math.Clamp((int)MathF.Round(latent[i] / scale[i], MidpointRounding.ToEven) + zero[i], qmin, qmax);
            }
        }

        return (best, bestBias, Mse(p, before), Mse(p, bestError));
    }

    /// <summary>Cluster centroids after Adam, with the bias (when given) and the errors before and after.</summary>
    public static (float[] Codebook, float[]? Bias, double Before, double After) Codebook(
        LayerFitProblem p, float[] codebook, byte[] indices, float[]? bias, int epochs, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(codebook);
        ArgumentNullException.ThrowIfNull(indices);
        var c = (float[])codebook.Clone();
        var best = (float[])codebook.Clone();
        var b = bias is null ? null : (float[])bias.Clone();
        var bestBias = bias is null ? null : (float[])bias.Clone();
        var gw = new float[indices.Length];
        var gc = new float[c.Length];
        var gb = b is null ? null : new float[b.Length];
        var adamC = new Adam(c.Length, learningRate);
        var adamB = b is null ? null : new Adam(b.Length, learningRate);
        double before = double.NaN, bestError = double.PositiveInfinity;
        for (var step = 0; step <= epochs * StepsPerEpoch; step++)
        {
            var error = p.ErrorAndGradient(WeightClustering.Expand(c, indices), b, gw, gb);
            before = step == 0 ? error : before;
            if (error < bestError)
            {
                bestError = error;
                Array.Copy(c, best, c.Length);
                if (b is not null)
                {
                    Array.Copy(b, bestBias!, b.Length);
                }
            }

            if (step == epochs * StepsPerEpoch)
            {
                break;
            }

            var sums = new double[c.Length];
            for (var i = 0; i < indices.Length; i++)
            {
                sums[indices[i]] += gw[i];
            }

            for (var j = 0; j < c.Length; j++)
            {
                gc[j] = (float)sums[j];
            }

            adamC.Step(c, gc);
            if (b is not null)
            {
                adamB!.Step(b, gb!);
            }
        }

        return (best, bestBias, Mse(p, before), Mse(p, bestError));
    }

    private static double Mse(LayerFitProblem p, double error) => error / ((double)p.Rows * p.N);

    /// <summary>Adam's moment estimates for one parameter vector.</summary>
    private sealed class Adam(int size, double learningRate)
    {
        private const double Beta1 = 0.9;
        private const double Beta2 = 0.999;
        private const double Epsilon = 1e-8;
        private readonly double[] _m = new double[size];
        private readonly double[] _v = new double[size];
        private int _t;

        /// <summary>θ ← θ − η·m̂/(√v̂ + ε) with bias-corrected moments (Kingma and Ba, Algorithm 1).</summary>
        public void Step(float[] theta, float[] gradient)
        {
            _t++;
            var c1 = 1 - Math.Pow(Beta1, _t);
            var c2 = 1 - Math.Pow(Beta2, _t);
            for (var i = 0; i < theta.Length; i++)
            {
                double g = gradient[i];
                _m[i] = (Beta1 * _m[i]) + ((1 - Beta1) * g);
                _v[i] = (Beta2 * _v[i]) + ((1 - Beta2) * g * g);
                theta[i] = (float)(theta[i] - (learningRate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + Epsilon)));
            }
        }
    }
}
