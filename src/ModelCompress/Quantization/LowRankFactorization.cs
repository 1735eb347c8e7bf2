using MathNet.Numerics.LinearAlgebra;

namespace ModelCompress.Quantization;

/// <summary>
/// Truncated SVD of a [K, N] weight, W ≈ A·B with A = U_r·√Σ_r [K, r] and B = √Σ_r·V_rᵀ [r, N] (Eckart–Young: the
/// best rank-r approximation in the Frobenius norm). The square root is split evenly between the factors so that both
/// have the same scale, which keeps a later fit of either factor well conditioned.
/// <para>
/// The SVD is MathNet.Numerics' managed implementation (Golub–Kahan–Reinsch on doubles): a maintained, tested library
/// beats a hand-written Jacobi here, and its managed provider runs the same sequential code on every machine, so the
/// factors are reproducible.
/// </para>
/// </summary>
public static class LowRankFactorization
{
    /// <summary>The singular values of a row-major [<paramref name="k"/>, <paramref name="n"/>] matrix, largest first.</summary>
    public static double[] SingularValues(ReadOnlySpan<float> w, int k, int n) =>
        ToMatrix(w, k, n).Svd(computeVectors: false).S.ToArray();

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
        var svd = ToMatrix(w, k, n).Svd(computeVectors: true);
        var s = svd.S.ToArray();
        var r = ChooseRank(s, rank, energy);
        var u = svd.U;
        var vt = svd.VT;
        var a = new float[k * r];
        var b = new float[r * n];
        for (var j = 0; j < r; j++)
        {
            var root = Math.Sqrt(s[j]);
            for (var i = 0; i < k; i++)
            {
                a[(i * r) + j] = (float)(u[i, j] * root);
            }

            for (var c = 0; c < n; c++)
            {
                b[(j * n) + c] = (float)(vt[j, c] * root);
            }
        }

        var total = s.Sum(x => x * x);
        var kept = s.Take(r).Sum(x => x * x);
        return (a, b, r, total > 0 ? kept / total : 1);
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
