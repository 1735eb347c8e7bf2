using MathNet.Numerics.LinearAlgebra;

namespace ModelCompress.Quantization;

/// <summary>
/// Closed-form refits of one linear layer on a <see cref="LayerFitProblem"/>: ridge regression pulled toward the
/// current weights W₀, <c>min ‖XW + 1bᵀ − Y‖² + λ‖W − W₀‖²</c>, whose normal equations per output column n are
/// <c>(C + λI) w_n + s b_n = P_n + λ w0_n</c> and <c>sᵀw_n + R b_n = y1_n</c>. With a pruning mask the unknowns of column
/// n are only its kept rows S_n, so the system is C restricted to S_n × S_n (Hubara et al.'s masked least squares,
/// as in SparseGPT's row-wise reconstruction). The damping λ = <see cref="Damping"/> · mean(diag C) keeps the system
/// positive definite when fewer rows than features were captured and stops a fit to few rows from wandering far from
/// the weights the earlier step chose. Solved by Cholesky (MathNet.Numerics) in double precision.
/// </summary>
public static class LayerFit
{
    /// <summary>The ridge damping relative to the mean diagonal of C.</summary>
    public const double Damping = 0.01;

    /// <summary>
    /// Re-fits the free entries of <paramref name="w"/> [K, N] (all, or where <paramref name="mask"/> is true) and, when
    /// <paramref name="bias"/> is given, the bias; entries outside the mask stay 0. Returns the new weight and bias.
    /// </summary>
    public static (float[] W, float[]? Bias) Ridge(LayerFitProblem p, float[] w, float[]? bias, bool[]? mask)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(w);
        var (k, n) = (p.K, p.N);
        var lambda = Lambda(p);
        var newW = new float[w.Length];
        var newB = bias is null ? null : new float[n];
        var dense = mask is null || mask.All(m => m);

        // Every column shares one factorization when nothing is masked.
        var shared = dense ? Factor(p, Enumerable.Range(0, k).ToArray(), lambda, bias is not null) : null;
        var failed = false;
        Parallel.For(0, n, j =>
        {
            var keep = dense ? null : Enumerable.Range(0, k).Where(i => mask![(i * n) + j]).ToArray();
            var rows = keep ?? Enumerable.Range(0, k).ToArray();
            var solver = shared ?? Factor(p, rows, lambda, bias is not null);
            if (solver is null)
            {
                failed = true;
                return;
            }

            var size = rows.Length + (bias is null ? 0 : 1);
            var rhs = Vector<double>.Build.Dense(size);
            for (var t = 0; t < rows.Length; t++)
            {
                var i = rows[t];
                rhs[t] = p.Cross[(i * n) + j] + (lambda * w[(i * n) + j]);
            }

            if (bias is not null)
            {
                rhs[rows.Length] = p.TargetSum[j];
            }

            var x = solver.Solve(rhs);
            for (var t = 0; t < rows.Length; t++)
            {
                newW[(rows[t] * n) + j] = (float)x[t];
            }

            if (newB is not null)
            {
                newB[j] = (float)x[rows.Length];
            }
        });
        return failed ? (w, bias) : (newW, newB);
    }

    /// <summary>
    /// The low-rank refit: with W = A·B and A fixed, B (and the bias) is a ridge fit on the inputs Z = XA, whose
    /// statistics are AᵀCA, Aᵀs and AᵀP (damped toward the current B); with B fixed, A = (C + λI)⁻¹(P − s bᵀ)Bᵀ(BBᵀ)⁻¹,
    /// the exact minimizer of the error plus λ‖AB‖². Each half-step solves its damped subproblem exactly;
    /// <paramref name="rounds"/> caps the alternations (the caller keeps the best by the undamped error).
    /// </summary>
    public static (float[] A, float[] B, float[]? Bias) LowRank(LayerFitProblem p, float[] a, float[] b, float[]? bias, int rank, int rounds)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (k, n, r) = (p.K, p.N, rank);
        var c = Dense(p.Gram, k, k);
        var pk = Dense(p.Cross, k, n);
        var s = Vector<double>.Build.Dense(k, i => p.RowSum[i]);
        var am = Dense(a, k, r);
        var bm = Dense(b, r, n);
        var bv = bias is null ? null : Vector<double>.Build.Dense(n, j => bias[j]);
        var lambda = Lambda(p);
        var cReg = c + (Matrix<double>.Build.DenseIdentity(k) * lambda);
        for (var round = 0; round < rounds; round++)
        {
            // B-step: inputs Z = XA; statistics AᵀCA, Aᵀs, AᵀP (+ the bias row/column when there is a bias).
            var zc = am.TransposeThisAndMultiply(c * am);
            var zs = am.TransposeThisAndMultiply(s);
            var zp = am.TransposeThisAndMultiply(pk);
            var zLambda = Damping * Math.Max(zc.Diagonal().Average(), 1e-12);
            var size = r + (bv is null ? 0 : 1);
            var m = Matrix<double>.Build.Dense(size, size);
            m.SetSubMatrix(0, 0, zc + (Matrix<double>.Build.DenseIdentity(r) * zLambda));
            var rhs = Matrix<double>.Build.Dense(size, n);
            rhs.SetSubMatrix(0, 0, zp + (bm * zLambda));
            if (bv is not null)
            {
                m.SetColumn(r, 0, r, zs);
                m.SetRow(r, 0, r, zs);
                m[r, r] = p.Rows;
                rhs.SetRow(r, Vector<double>.Build.Dense(n, j => p.TargetSum[j]));
            }

            var solved = m.Cholesky().Solve(rhs);
            bm = solved.SubMatrix(0, r, 0, n);
            if (bv is not null)
            {
                bv = solved.Row(r);
            }

            // A-step: ∂/∂A of ‖XAB + 1bᵀ − Y‖² + λ‖AB‖² = 0 ⇒ (C + λI)·A·BBᵀ = (P − s bᵀ)Bᵀ, solved exactly
            // (the damping is a ridge on the product W = AB, so both solves stay positive definite).
            var target = bv is null ? pk : pk - s.OuterProduct(bv);
            var bbt = bm.TransposeAndMultiply(bm);
            bbt += Matrix<double>.Build.DenseIdentity(r) * (1e-9 * Math.Max(bbt.Diagonal().Average(), 1e-12));
            var left = cReg.Cholesky().Solve(target.TransposeAndMultiply(bm));
            am = bbt.Cholesky().Solve(left.Transpose()).Transpose();
        }

        return (ToFloats(am), ToFloats(bm), bv?.Select(v => (float)v).ToArray());
    }

    private static double Lambda(LayerFitProblem p)
    {
        var trace = 0.0;
        for (var i = 0; i < p.K; i++)
        {
            trace += p.Gram[(i * p.K) + i];
        }

        return Damping * Math.Max(trace / p.K, 1e-12);
    }

    /// <summary>The Cholesky factor of the damped, bias-augmented system on <paramref name="rows"/>; null if not positive definite.</summary>
    private static MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double>? Factor(LayerFitProblem p, int[] rows, double lambda, bool withBias)
    {
        var size = rows.Length + (withBias ? 1 : 0);
        var m = Matrix<double>.Build.Dense(size, size);
        for (var a = 0; a < rows.Length; a++)
        {
            for (var b = 0; b < rows.Length; b++)
            {
                m[a, b] = p.Gram[(rows[a] * p.K) + rows[b]];
            }

            m[a, a] += lambda;
            if (withBias)
            {
                m[a, rows.Length] = m[rows.Length, a] = p.RowSum[rows[a]];
            }
        }

        if (withBias)
        {
            m[rows.Length, rows.Length] = p.Rows;
        }

        try
        {
            return m.Cholesky();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Matrix<double> Dense(float[] values, int rows, int cols) =>
        Matrix<double>.Build.Dense(rows, cols, (i, j) => values[(i * cols) + j]);

    private static float[] ToFloats(Matrix<double> m)
    {
        var result = new float[m.RowCount * m.ColumnCount];
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < m.ColumnCount; j++)
            {
                result[(i * m.ColumnCount) + j] = (float)m[i, j];
            }
        }

        return result;
    }
}
