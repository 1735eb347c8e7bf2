using MathNet.Numerics.LinearAlgebra;

namespace ModelCompress.Quantization;

/// <summary>
/// Truncated SVD of a [K, N] weight, W ≈ A·B with A = U_r·√Σ_r [K, r] and B = √Σ_r·V_rᵀ [r, N] (Eckart–Young: the
/// best rank-r approximation in the Frobenius norm). The square root is split evenly between the factors so that both
/// have the same scale, which keeps a later fit of either factor well conditioned.
/// <para>
/// The decomposition is the thin SVD through the Gram matrix of the smaller side: for K ≤ N the symmetric
/// eigen-decomposition of W·Wᵀ [K, K] gives U and σ² and each kept row of Vᵀ is uᵀW/σ (the other way round for
/// K &gt; N). MathNet.Numerics' managed symmetric eigen-solver (on doubles) does the work: a maintained, tested library,
/// and its managed provider runs the same sequential code on every machine, so the factors are reproducible. A full
/// Golub–Kahan SVD of a [384, 1536] layer builds the whole 1536 × 1536 V and took minutes per model on char-GPT; the
/// Gram route costs O(K²N) and only the kept vectors. Squaring W loses accuracy only in singular values below
/// √ε·σ₁ (about 10⁻⁸ σ₁ in doubles), far under any rank an energy of 0.9–0.999999 keeps.
/// </para>
/// </summary>
public static class LowRankFactorization
{
    /// <summary>The singular values of a row-major [<paramref name="k"/>, <paramref name="n"/>] matrix, largest first.</summary>
    public static double[] SingularValues(ReadOnlySpan<float> w, int k, int n) => GramEigen(ToMatrix(w, k, n)).Sigma;

    /// <summary>
    /// The rank to keep: <paramref name="rank"/> when given (capped at min(K, N)), otherwise the smallest r whose
    /// leading singular values hold <paramref name="energy"/> of Σσ².
    /// </summary>
    public static int ChooseRank(IReadOnlyList<double> singularValues, int? rank, double? energy)
    {
        ArgumentNullException.ThrowIfNull(singularValues);
        if (rank is { } r)
        {
            return Math.Min(r, singularValues.Count);
        }

        var total = singularValues.Sum(s => s * s);
        if (total <= 0)
        {
            return 1;
        }

        var want = (energy ?? 0.99) * total;
        var running = 0.0;
        for (var i = 0; i < singularValues.Count; i++)
        {
            running += singularValues[i] * singularValues[i];
            if (running >= want * (1 - 1e-12))
            {
                return i + 1;
            }
        }

        return singularValues.Count;
    }

    /// <summary>Whether rank <paramref name="r"/> stores fewer parameters than the [K, N] matrix: r·(K+N) &lt; K·N.</summary>
    public static bool Saves(int r, int k, int n) => (long)r * (k + n) < (long)k * n;

    /// <summary>Factors a row-major [K, N] weight; rank chosen by <see cref="ChooseRank"/>.</summary>
    /// <returns>A [K, r] and B [r, N], row-major, and the fraction of Σσ² kept.</returns>
    public static (float[] A, float[] B, int Rank, double Energy) Factor(ReadOnlySpan<float> w, int k, int n, int? rank, double? energy)
    {
        var m = ToMatrix(w, k, n);
        var (s, vectors) = GramEigen(m);
        var r = ChooseRank(s, rank, energy);
        var a = new float[k * r];
        var b = new float[r * n];
        for (var j = 0; j < r; j++)
        {
            // The eigenvector is the singular vector of the smaller side; the other side's is Wᵀu/σ (or Wv/σ).
            var small = vectors.Column(j);
            var other = k <= n ? m.TransposeThisAndMultiply(small) : m.Multiply(small);
            var root = Math.Sqrt(s[j]);
            var otherScale = s[j] > 0 ? root / s[j] : 0;
            var (left, right) = k <= n ? (small * root, other * otherScale) : (other * otherScale, small * root);
            for (var i = 0; i < k; i++)
            {
                a[(i * r) + j] = (float)left[i];
            }

            for (var c = 0; c < n; c++)
            {
                b[(j * n) + c] = (float)right[c];
            }
        }

        var total = s.Sum(x => x * x);
        var kept = s.Take(r).Sum(x => x * x);
        return (a, b, r, total > 0 ? kept / total : 1);
    }

    /// <summary>
    /// σ (largest first) and, column for column, the singular vectors of the smaller side of <paramref name="m"/>,
    /// from the symmetric eigen-decomposition of its Gram matrix; order ties by index so the result is deterministic.
    /// </summary>
    private static (double[] Sigma, Matrix<double> Vectors) GramEigen(Matrix<double> m)
    {
        var gram = m.RowCount <= m.ColumnCount ? m.TransposeAndMultiply(m) : m.TransposeThisAndMultiply(m);
        var evd = gram.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var order = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var sigma = order.Select(i => Math.Sqrt(Math.Max(values[i], 0))).ToArray();
        var vectors = Matrix<double>.Build.Dense(gram.RowCount, order.Length, (row, col) => evd.EigenVectors[row, order[col]]);
        return (sigma, vectors);
    }

    private static Matrix<double> ToMatrix(ReadOnlySpan<float> w, int k, int n)
    {
        if (w.Length != (long)k * n)
        {
            throw new ArgumentException($"{w.Length} values are not a [{k}, {n}] matrix", nameof(w));
        }

        var m = Matrix<double>.Build.Dense(k, n);
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = w[(i * n) + j];
            }
        }

        return m;
    }
}
