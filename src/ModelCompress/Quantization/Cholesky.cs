using System.Runtime.CompilerServices;
using ModelCompress.Calibration;

namespace ModelCompress.Quantization;

/// <summary>
/// Dense Cholesky factorization of a symmetric positive definite matrix and the inverse of its factor, row-major, in double, every sum
/// taken in a fixed order (deterministic). O(K³); the layers here have K ≤ a few thousand.
/// </summary>
internal static class Cholesky
{
    /// <summary>
    /// Replaces the lower triangle of <paramref name="a"/> by L with A = LLᵀ and zeroes the upper triangle; false when a
    /// pivot is not positive and finite (A is not positive definite). Right-looking: after column j is scaled, its
    /// outer product is subtracted from the trailing rows, one contiguous row segment at a time — only element-wise
    /// updates, each element's in column order, so the bits do not depend on the vector width.
    /// </summary>
    public static bool TryLower(double[] a, int n) => TryLower(a, n, allowPanels: true);

    /// <summary><see cref="TryLower(double[], int)"/>; <paramref name="allowPanels"/> false keeps to one column at a time (tests compare the two).</summary>
    internal static bool TryLower(double[] a, int n, bool allowPanels)
    {
        // Wide matrices go in panels (CholeskyPanels: the same bits, the trailing matrix swept once per panel).
        var panels = allowPanels && n >= PanelRows && CholeskyPanels.Applies(a, n);
        if (panels && !CholeskyPanels.TryLower(a, n))
        {
            return false;
        }

        var column = new double[n];
        for (var j = 0; j < (panels ? 0 : n); j++)
        {
            if (!TryPivot(a, n, j))
            {
                return false;
            }

            for (var i = j + 1; i < n; i++)
            {
                column[i - j - 1] = a[(i * n) + j];
            }

            // A[i, j+1..i] −= L[i,j] · L[j+1..i, j] for every row i below j. Rows are independent, so large trailing
            // blocks run their rows in parallel: each element still gets its updates in column order (same bits).
            var jj = j;
            if (n - j > ParallelRows)
            {
                Parallel.For(j + 1, n, i => UpdateRow(a, n, jj, i, column));
            }
            else
            {
                for (var i = j + 1; i < n; i++)
                {
                    UpdateRow(a, n, j, i, column);
                }
            }

        }

        for (var i = 0; i < n; i++)
        {
            a.AsSpan((i * n) + i + 1, n - i - 1).Clear();
        }

        return true;
    }

    /// <summary>
    /// X = L⁻¹ for the lower factor L in <paramref name="l"/> (a new array, zero above the diagonal): register tiles where
    /// the factor is finite, else forward substitution row by row.
    /// </summary>
    public static double[] LowerInverse(double[] l, int n)
    {
        var x = new double[(long)n * n];
        if (!(HessianFold.IsFinite<double>(l) && LowerInverseTiles.TrySolve(l, n, x)))
        {
            Array.Clear(x);
            ForwardRows(l, n, x);
        }

        return x;
    }

    /// <summary>
    /// Column j of L from its updated values: L[j, j] = √A[j, j] and L[i, j] = A[i, j] / L[j, j] below; false when the
    /// pivot is not positive and finite.
    /// </summary>
    // Optimized at the first call: a build runs these kernels a handful of times on large inputs, too few calls for
    // tiered compilation to replace their unoptimized first code in time (same arithmetic either way).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryPivot(double[] a, int n, int j)
    {
        var d = a[(j * n) + j];
        if (!(d > 0) || !double.IsFinite(d))
        {
            return false;
        }

        var ljj = Math.Sqrt(d);
        a[(j * n) + j] = ljj;
        for (var i = j + 1; i < n; i++)
        {
            a[(i * n) + j] /= ljj;
        }

        return true;
    }

    /// <summary>Below this many rows the work of a column is too small to be worth handing to other threads.</summary>
    private const int ParallelRows = 192;

    /// <summary>From this many rows the factorization goes in panels.</summary>
    private const int PanelRows = 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateRow(double[] a, int n, int j, int i, double[] column)
    {
        var lij = column[i - j - 1];
        if (lij != 0)
        {
            DoubleKernels.AddScaled(a.AsSpan((i * n) + j + 1, i - j), -lij, column.AsSpan(0, i - j));
        }
    }

    /// <summary>X = L⁻¹ row by row: row i is (e_i − Σ L_ik · X_k over k &lt; i) / L_ii; X_k is zero beyond column k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows(double[] l, int n, double[] x)
    {
        for (var i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * n, i + 1);
            row[i] = 1;
            for (var k = 0; k < i; k++)
            {
                var lik = l[(i * n) + k];
                if (lik != 0)
                {
                    DoubleKernels.AddScaled(row[..(k + 1)], -lik, x.AsSpan(k * n, k + 1));
                }
            }

            var inv = 1 / l[(i * n) + i];
            for (var c = 0; c <= i; c++)
            {
                row[c] *= inv;
            }
        }
    }
}
