using ModelCompress.Recipe;

namespace ModelCompress.Pruning;

/// <summary>
/// One layer's PST fitting problem in the transposed [K × N] layout: the weights, the calibration rows X [r × K], the
/// selection rule (per-row sparsity or N:M), and the pieces of the loss and its gradient (<see cref="PstImportance"/>).
/// </summary>
internal sealed class PstProblem
{
    /// <summary>The soft mask's temperature, in units of the layer's mean |W| (scores are normalized by it).</summary>
    public const float Temperature = 0.1f;

    private readonly float[] _wt;
    private readonly float[] _absNormalized;
    private readonly float[] _x;
    private readonly int _rows;
    private readonly int _n;
    private readonly int _k;
    private readonly double _sparsity;
    private readonly SparsityPattern? _pattern;

    public PstProblem(float[] w, int n, int k, float[] x, double sparsity, SparsityPattern? pattern)
    {
        if ((long)n * k != w.Length || k == 0 || x.Length % k != 0)
        {
            throw new ArgumentException($"a {n}x{k} weight with {w.Length} values and {x.Length} input values do not fit");
        }

        (_n, _k, _x, _rows, _sparsity, _pattern) = (n, k, x, x.Length / k, sparsity, pattern);
        _wt = new float[w.Length];
        double sum = 0;
        for (var o = 0; o < n; o++)
        {
            for (var kk = 0; kk < k; kk++)
            {
                var v = w[(o * k) + kk];
                _wt[(kk * n) + o] = v;
                sum += Math.Abs(v);
            }
        }

        MeanAbs = sum / w.Length;
        _absNormalized = new float[w.Length];
        for (var i = 0; i < _wt.Length; i++)
        {
            _absNormalized[i] = MeanAbs == 0 ? 0 : (float)(Math.Abs(_wt[i]) / MeanAbs);
        }

        var full = Residual(_wt);
        Norm = SumSquares(full);
    }

    /// <summary>‖X Wᵀ‖² over the calibration rows.</summary>
    public double Norm { get; }

    /// <summary>The mean |W| of the layer.</summary>
    public double MeanAbs { get; }

    /// <summary>|W| as logical [N × K] scores.</summary>
    public double[] Magnitudes() => Logical(_absNormalized);

    /// <summary>A [K × N] score as logical [N × K].</summary>
    public double[] Logical(float[] scoreT)
    {
        var s = new double[scoreT.Length];
        for (var kk = 0; kk < _k; kk++)
        {
            for (var o = 0; o < _n; o++)
            {
                s[(o * _k) + kk] = scoreT[(kk * _n) + o];
            }
        }

        return s;
    }

    /// <summary>The hard mask of logical scores: N:M groups, or round(s·K) dropped per output row.</summary>
    public bool[] Select(double[] logical) => _pattern is { } p
        ? PruneMasks.KeepNOfM(logical, _n, _k, p.N, p.M)
        : PruneMasks.KeepPerRow(logical, _n, _k, _sparsity);

    /// <summary>‖X (W − W⊙M)ᵀ‖² / ‖X Wᵀ‖² for a logical mask (0 when the layer's output is all zero).</summary>
    public double HardError(bool[] keep)
    {
        if (Norm == 0)
        {
            return 0;
        }

        var dropped = new float[_wt.Length];
        for (var kk = 0; kk < _k; kk++)
        {
            for (var o = 0; o < _n; o++)
            {
                dropped[(kk * _n) + o] = keep[(o * _k) + kk] ? 0f : _wt[(kk * _n) + o];
            }
        }

        return SumSquares(Residual(dropped)) / Norm;
    }

    /// <summary>S = |W|/μ + A·B + R + C in the [K × N] layout (<paramref name="at"/> = Aᵀ [r × N], <paramref name="bt"/> = Bᵀ [K × r]).</summary>
    public float[] Score(double[] at, double[] bt, double[] rowTerm, double[] colTerm, int rank)
    {
        var atF = Array.ConvertAll(at, v => (float)v);
        var rF = Array.ConvertAll(rowTerm, v => (float)v);
        var s = new float[_wt.Length];
        for (var kk = 0; kk < _k; kk++)
        {
            var row = s.AsSpan(kk * _n, _n);
            _absNormalized.AsSpan(kk * _n, _n).CopyTo(row);
            VectorMath.AddScaled(row, 1f, rF);
            var c = (float)colTerm[kk];
            for (var o = 0; o < _n; o++)
            {
                row[o] += c;
            }

            for (var j = 0; j < rank; j++)
            {
                VectorMath.AddScaled(row, (float)bt[(kk * rank) + j], atF.AsSpan(j * _n, _n));
            }
        }

        return s;
    }

    /// <summary>
    /// G = ∂L/∂S for the soft mask m = σ((S − τ)/T): with D = W ⊙ (1 − m) and Z = X Dᵀ, ∂L/∂D = 2 Xᵀ Z / ‖XWᵀ‖²,
    /// and ∂D/∂S = −W ⊙ m(1 − m) / T.
    /// </summary>
    public float[] ScoreGradient(float[] score)
    {
        var tau = Thresholds(score);
        var m = new float[score.Length];
        var d = new float[score.Length];
        for (var i = 0; i < score.Length; i++)
        {
            m[i] = 1f / (1f + MathF.Exp(-(score[i] - tau[i]) / Temperature));
            d[i] = _wt[i] * (1f - m[i]);
        }

        var z = Residual(d);
        var gd = new float[score.Length];
        for (var kk = 0; kk < _k; kk++)
        {
            var row = gd.AsSpan(kk * _n, _n);
            for (var i = 0; i < _rows; i++)
            {
                var xv = _x[(i * _k) + kk];
                if (xv != 0f)
                {
                    VectorMath.AddScaled(row, xv, z.AsSpan(i * _n, _n));
                }
            }
        }

        var scale = (float)(2.0 / Norm) / Temperature;
        var g = new float[score.Length];
        for (var i = 0; i < g.Length; i++)
        {
            g[i] = -_wt[i] * gd[i] * m[i] * (1f - m[i]) * scale;
        }

        return g;
    }

    /// <summary>τ per element: midway between the last dropped and the first kept score of its output row or N:M group.</summary>
    private float[] Thresholds(float[] score)
    {
        var tau = new float[score.Length];
        var (size, drop) = _pattern is { } p ? (p.M, p.M - p.N) : (_k, PruneMasks.PrunedCount(_sparsity, _k));
        var group = new float[size];
        for (var o = 0; o < _n; o++)
        {
            for (var start = 0; start < _k; start += size)
            {
                for (var i = 0; i < size; i++)
                {
                    group[i] = score[((start + i) * _n) + o];
                }

                Array.Sort(group);
                var t = drop <= 0 ? group[0] - 1e6f : drop >= size ? group[size - 1] + 1e6f : 0.5f * (group[drop - 1] + group[drop]);
                for (var i = 0; i < size; i++)
                {
                    tau[((start + i) * _n) + o] = t;
                }
            }
        }

        return tau;
    }

    /// <summary>Z = X Dᵀ [r × N] for D given as [K × N].</summary>
    private float[] Residual(float[] dt)
    {
        var z = new float[_rows * _n];
        for (var i = 0; i < _rows; i++)
        {
            var row = z.AsSpan(i * _n, _n);
            for (var kk = 0; kk < _k; kk++)
            {
                var xv = _x[(i * _k) + kk];
                if (xv != 0f)
                {
                    VectorMath.AddScaled(row, xv, dt.AsSpan(kk * _n, _n));
                }
            }
        }

        return z;
    }

    private static double SumSquares(float[] values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }

        return sum;
    }
}
