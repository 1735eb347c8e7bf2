using System.Numerics.Tensors;

namespace ModelCompress.Quantization;

/// <summary>
/// One linear layer's distillation problem: find W [K, N] (and bias b [N]) so that X·W + b matches the teacher's output
/// Y on R captured rows. Everything the loss and its gradient need is held as sufficient statistics, computed once:
/// C = XᵀX [K, K], s = Xᵀ1 [K], P = XᵀY [K, N], y1 = 1ᵀY [N] and ‖Y‖². Then
/// <c>E(W, b) = ‖XW + 1bᵀ − Y‖² = tr(WᵀCW) + 2·bᵀWᵀs + R·‖b‖² − 2·tr(WᵀP) − 2·bᵀy1 + ‖Y‖²</c> and its gradient
/// <c>∂E/∂W = 2(CW + s bᵀ − P)</c>, <c>∂E/∂b = 2(Wᵀs + R·b − y1)</c> cost K²N per step whatever R is, with no
/// autodiff: a linear layer's MSE is a quadratic. Products run element by element in a fixed order (one
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per output, outputs split across cores),
/// so results do not depend on scheduling.
/// </summary>
public sealed class LayerFitProblem
{
    /// <summary>Builds the statistics from row-major X [R, K] and Y [R, N].</summary>
    public LayerFitProblem(float[] x, float[] y, int rows, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != (long)rows * k || y.Length != (long)rows * n)
        {
            throw new ArgumentException("X or Y does not have R rows");
        }

        Rows = rows;
        K = k;
        N = n;
        var xt = Transpose(x, rows, k);
        var yt = Transpose(y, rows, n);
        Gram = Products(xt, xt, k, k, rows);
        Cross = Products(xt, yt, k, n, rows);
        RowSum = new float[k];
        for (var i = 0; i < k; i++)
        {
            RowSum[i] = TensorPrimitives.Sum<float>(xt.AsSpan(i * rows, rows));
        }

        TargetSum = new float[n];
        for (var j = 0; j < n; j++)
        {
            TargetSum[j] = TensorPrimitives.Sum<float>(yt.AsSpan(j * rows, rows));
        }

        var yy = 0.0;
        foreach (var v in y)
        {
            yy += (double)v * v;
        }

        TargetSquares = yy;
    }

    /// <summary>Captured rows R.</summary>
    public int Rows { get; }

    /// <summary>Input features K.</summary>
    public int K { get; }

    /// <summary>Output features N.</summary>
    public int N { get; }

    /// <summary>C = XᵀX, row-major [K, K].</summary>
    public float[] Gram { get; }

    /// <summary>P = XᵀY, row-major [K, N].</summary>
    public float[] Cross { get; }

    /// <summary>s = Xᵀ1 [K].</summary>
    public float[] RowSum { get; }

    /// <summary>y1 = 1ᵀY [N].</summary>
    public float[] TargetSum { get; }

    /// <summary>‖Y‖².</summary>
    public double TargetSquares { get; }

    /// <summary>The mean squared error per output value, E / (R·N).</summary>
    public double MeanSquaredError(float[] w, float[]? b) => Error(w, b, Products(Gram, Transpose(w, K, N), K, N, K)) / ((double)Rows * N);

    /// <summary>E(W, b) given CW (computed once for the gradient too).</summary>
    internal double Error(float[] w, float[]? b, float[] cw)
    {
        var e = TargetSquares;
        for (var i = 0; i < w.Length; i++)
        {
            e += (double)w[i] * cw[i];
            e -= 2.0 * w[i] * Cross[i];
        }

        if (b is not null)
        {
            for (var j = 0; j < N; j++)
            {
                var sw = 0.0;
                for (var i = 0; i < K; i++)
                {
                    sw += (double)RowSum[i] * w[(i * N) + j];
                }

                e += (2.0 * b[j] * sw) + ((double)Rows * b[j] * b[j]) - (2.0 * b[j] * TargetSum[j]);
            }
        }

        return Math.Max(0, e);
    }

    /// <summary>E(W, b) and its gradient with respect to W (into <paramref name="gw"/>) and b (into <paramref name="gb"/>).</summary>
    internal double ErrorAndGradient(float[] w, float[]? b, float[] gw, float[]? gb)
    {
        var cw = Products(Gram, Transpose(w, K, N), K, N, K);
        for (var i = 0; i < K; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var at = (i * N) + j;
                gw[at] = 2f * (cw[at] - Cross[at] + (b is null ? 0f : RowSum[i] * b[j]));
            }
        }

        if (b is not null && gb is not null)
        {
            for (var j = 0; j < N; j++)
            {
                var sw = 0.0;
                for (var i = 0; i < K; i++)
                {
                    sw += (double)RowSum[i] * w[(i * N) + j];
                }

                gb[j] = (float)(2.0 * (sw + ((double)Rows * b[j]) - TargetSum[j]));
            }
        }

        return Error(w, b, cw);
    }

    /// <summary>Row-major [cols, rows] of a row-major [rows, cols] matrix.</summary>
    internal static float[] Transpose(ReadOnlySpan<float> m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                t[(c * rows) + r] = m[(r * cols) + c];
            }
        }

        return t;
    }

    /// <summary>out[i, j] = a_i · b_j for a [m, len] and b [n, len] (both rows of length <paramref name="length"/>).</summary>
    internal static float[] Products(float[] a, float[] b, int m, int n, int length)
    {
        var result = new float[m * n];
        Parallel.For(0, m, i =>
        {
            var row = a.AsSpan(i * length, length);
            for (var j = 0; j < n; j++)
            {
                result[(i * n) + j] = TensorPrimitives.Dot(row, b.AsSpan(j * length, length));
            }
        });
        return result;
    }
}
