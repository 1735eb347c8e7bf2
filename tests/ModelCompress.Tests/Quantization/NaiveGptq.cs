using ModelCompress.Quantization;

namespace ModelCompress.Tests.Quantization;

/// <summary>The reference the blocked solver is checked against: GPTQ written the plain way, with an explicit inverse.</summary>
internal static class NaiveGptq
{
    /// <summary>
    /// GPTQ as first written (OBQ's update with an explicit inverse): fix column j, spread its error with
    /// H⁻¹[j, ·] / H⁻¹[j, j], then remove j from the inverse by one Gaussian elimination step.
    /// </summary>
    public static double[] Solve(double[] w0, int n, int k, int block, double[] h, double damping)
    {
        var result = new double[n * k];
        for (var r = 0; r < n; r++)
        {
            var a = (double[])h.Clone();
            for (var i = 0; i < k; i++)
            {
                a[(i * k) + i] += damping;
            }

            var inv = Invert(a, k);
            var w = w0.AsSpan(r * k, k).ToArray();
            Int4Grid grid = default;
            for (var j = 0; j < k; j++)
            {
                if (j % block == 0)
                {
                    grid = Int4Grid.For(w.AsSpan(j, Math.Min(block, k - j)), true);
                }

                var q = grid.Dequantize(grid.Quantize(w[j]));
                var e = (w[j] - q) / inv[(j * k) + j];
                for (var c = j + 1; c < k; c++)
                {
                    w[c] -= e * inv[(j * k) + c];
                }

                w[j] = q;
                var pivot = inv[(j * k) + j];
                var rowJ = inv.AsSpan(j * k, k).ToArray();
                for (var i = 0; i < k; i++)
                {
                    var f = inv[(i * k) + j] / pivot;
                    for (var c = 0; c < k; c++)
                    {
                        inv[(i * k) + c] -= f * rowJ[c];
                    }
                }
            }

            w.CopyTo(result, r * k);
        }

        return result;
    }

    private static double[] Invert(double[] a, int k)
    {
        // Gauss–Jordan on [A | I]; A is symmetric positive definite, so no pivoting is needed.
        var m = (double[])a.Clone();
        var inv = new double[k * k];
        for (var i = 0; i < k; i++)
        {
            inv[(i * k) + i] = 1;
        }

        for (var p = 0; p < k; p++)
        {
            var d = m[(p * k) + p];
            for (var c = 0; c < k; c++)
            {
                m[(p * k) + c] /= d;
                inv[(p * k) + c] /= d;
            }

            for (var i = 0; i < k; i++)
            {
                if (i == p)
                {
                    continue;
                }

                var f = m[(i * k) + p];
                for (var c = 0; c < k; c++)
                {
                    m[(i * k) + c] -= f * m[(p * k) + c];
                    inv[(i * k) + c] -= f * inv[(p * k) + c];
                }
            }
        }

        return inv;
    }
}
