using ModelCompress.Recipe;

namespace ModelCompress.Pruning;

/// <summary>
/// PST importance (Li et al., 2022, "Parameter-Efficient Sparsity for Large Language Models Fine-Tuning", Eq. 6–8):
/// S = |W| + A·B + R·1ᵀ + 1·Cᵀ with A [N×r], B [r×K], R [N], C [K]. Only these small factors are learned — never a
/// full-size score matrix — by gradient steps that lower the masked layer's output error on calibration rows X:
/// L = ‖X (W ⊙ (1 − m))ᵀ‖² / ‖X Wᵀ‖², with the differentiable mask m = σ((S − τ) / T) (τ: the selection threshold
/// of each output row or N:M group at the current scores, held constant within a step; T a temperature). The paper
/// trains the factors with the task loss during fine-tuning; at build time there is no task, so the layer's own
/// reconstruction error stands in (as in SparseGPT and Wanda's layer-wise view). The final mask is the hard selection
/// of S; the best hard mask seen at checkpoints is kept, and never one worse than |W| alone.
/// <para>
/// All work is in the transposed [K × N] layout so the big products are y += a·x row updates (<see cref="VectorMath"/>),
/// which give the same bytes on every CPU; reductions are sequential. The random start of B is seeded.
/// </para>
/// </summary>
public static class PstImportance
{
    private const int Seed = 20221011;
    private const int CheckEvery = 10;

    /// <summary>Fits the factors for a logical [n × k] weight on calibration rows <paramref name="x"/> [r × k].</summary>
    public static PstFit Fit(float[] w, int n, int k, float[] x, PstSettings settings, double sparsity, SparsityPattern? pattern)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(settings);
        var problem = new PstProblem(w, n, k, x, sparsity, pattern);
        var magnitude = problem.Select(problem.Magnitudes());
        var before = problem.HardError(magnitude);
        if (problem.Norm == 0 || problem.MeanAbs == 0)
        {
            return new PstFit(magnitude, magnitude, before, before);
        }

        var rank = settings.Rank;
        var at = new double[rank * n];
        var bt = new double[k * rank];
        var rowTerm = new double[n];
        var colTerm = new double[k];
        var random = new Random(Seed);
        for (var i = 0; i < bt.Length; i++)
        {
            bt[i] = (random.NextDouble() - 0.5) * 0.2;
        }

        var adam = new Adam(settings.LearningRate, at.Length + bt.Length + n + k);
        var best = magnitude;
        var bestError = before;
        for (var step = 1; step <= settings.Steps; step++)
        {
            var score = problem.Score(at, bt, rowTerm, colTerm, rank);
            var g = problem.ScoreGradient(score);
            var grad = new double[adam.Count];
            FactorGradients(g, at, bt, n, k, rank, grad);
            adam.Step(grad, at, bt, rowTerm, colTerm);
            if (step % CheckEvery == 0 || step == settings.Steps)
            {
                var keep = problem.Select(problem.Logical(problem.Score(at, bt, rowTerm, colTerm, rank)));
                var error = problem.HardError(keep);
                if (error < bestError)
                {
                    (best, bestError) = (keep, error);
                }
            }
        }

        return new PstFit(best, magnitude, before, bestError);
    }

    /// <summary>
    /// ∂L/∂A, ∂L/∂B, ∂L/∂R, ∂L/∂C from G = ∂L/∂S [K × N], written into <paramref name="grad"/> in the order A, B, R, C:
    /// with P[k, o] = Σ_j Bᵀ[k, j] Aᵀ[j, o], ∂L/∂Aᵀ[j, :] = Σ_k Bᵀ[k, j] G[k, :], ∂L/∂Bᵀ[k, j] = Σ_o G[k, o] Aᵀ[j, o],
    /// ∂L/∂R = Σ_k G[k, :] and ∂L/∂C[k] = Σ_o G[k, o].
    /// </summary>
    private static void FactorGradients(float[] g, double[] at, double[] bt, int n, int k, int rank, double[] grad)
    {
        var gat = new float[rank * n];
        var gr = new float[n];
        for (var kk = 0; kk < k; kk++)
        {
            var gRow = g.AsSpan(kk * n, n);
            VectorMath.AddScaled(gr, 1f, gRow);
            double colSum = 0;
            for (var o = 0; o < n; o++)
            {
                colSum += gRow[o];
            }

            grad[at.Length + bt.Length + n + kk] = colSum;
            for (var j = 0; j < rank; j++)
            {
                VectorMath.AddScaled(gat.AsSpan(j * n, n), (float)bt[(kk * rank) + j], gRow);
                double dot = 0;
                for (var o = 0; o < n; o++)
                {
                    dot += gRow[o] * at[(j * n) + o];
                }

                grad[at.Length + (kk * rank) + j] = dot;
            }
        }

        for (var i = 0; i < gat.Length; i++)
        {
            grad[i] = gat[i];
        }

        for (var o = 0; o < n; o++)
        {
            grad[at.Length + bt.Length + o] = gr[o];
        }
    }

    /// <summary>Adam (Kingma and Ba, 2015) over the concatenated factors A, B, R, C.</summary>
    private sealed class Adam(double rate, int count)
    {
        private const double Beta1 = 0.9;
        private const double Beta2 = 0.999;
        private const double Epsilon = 1e-8;
        private readonly double[] _m = new double[count];
        private readonly double[] _v = new double[count];
        private int _t;

        public int Count => count;

        public void Step(double[] grad, params double[][] parameters)
        {
            _t++;
            var c1 = 1 - Math.Pow(Beta1, _t);
            var c2 = 1 - Math.Pow(Beta2, _t);
            var i = 0;
            foreach (var p in parameters)
            {
                for (var e = 0; e < p.Length; e++, i++)
                {
                    _m[i] = (Beta1 * _m[i]) + ((1 - Beta1) * grad[i]);
                    _v[i] = (Beta2 * _v[i]) + ((1 - Beta2) * grad[i] * grad[i]);
                    p[e] -= rate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + Epsilon);
                }
            }
        }
    }
}
