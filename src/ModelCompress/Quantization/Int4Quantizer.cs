namespace ModelCompress.Quantization;

/// <summary>
/// Block-wise int4 weight quantization of one layer: round-to-nearest (RTN), or GPTQ (Frantar et al., 2022) — the
/// same rounding with each column's error compensated on the inputs not yet rounded through the inverse Hessian
/// (<see cref="ObsSolver"/>). With H = I every compensation is zero and GPTQ is RTN exactly.
/// </summary>
public static class Int4Quantizer
{
    /// <summary>
    /// Quantizes <paramref name="rows"/> (W as row-major [N, K], one row per output; not changed). A null
    /// <paramref name="factor"/> rounds to nearest. <paramref name="fallback"/> is recorded in the result.
    /// </summary>
    public static Int4Weight Quantize(ReadOnlySpan<double> rows, int outputs, int inputs, int blockSize, bool symmetric, InverseHessianFactor? factor, string fallback = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var w = rows.ToArray();
        var codes = new int[(long)outputs * inputs];
        var grids = new Int4Grid[(long)outputs * ((inputs + blockSize - 1) / blockSize)];
        // The lazy batch holds whole blocks, so a block's grid is chosen from fully updated values.
        var batch = blockSize * Math.Max(1, (ObsSolver.DefaultBatch + blockSize - 1) / blockSize);
        if (factor is null && RoundsAlone(w))
        {
            RoundToNearest(w, outputs, inputs, r => new Int4ColumnRule(r, inputs, blockSize, symmetric, codes, grids));
            return new Int4Weight(inputs, outputs, blockSize, symmetric, codes, grids, fallback);
        }

        ObsSolver.Solve(w, outputs, factor ?? InverseHessianFactor.Identity(inputs), r => new Int4ColumnRule(r, inputs, blockSize, symmetric, codes, grids), batch);
        return new Int4Weight(inputs, outputs, blockSize, symmetric, codes, grids, fallback);
    }

    // With H = I the solver's compensations are e · 0 = ±0, and adding ±0 leaves a finite value that is not −0
    // unchanged (+0 + −0 is +0): on such weights round-to-nearest needs no solve, and gives the solve's very bits.
    // A −0 weight (whose sign the ±0 updates may flip) or a non-finite one (0 · ∞ is NaN) goes through the solve.
    private static bool RoundsAlone(double[] w)
    {
        foreach (var v in w)
        {
            if (!double.IsFinite(v) || (v == 0 && double.IsNegative(v)))
            {
                return false;
            }
        }

        return true;
    }

    // The solver's column loop without the (zero) compensations: each block's grid from the row's values, then each
    // column rounded to it; rows in parallel as in the solver.
    private static void RoundToNearest(double[] w, int outputs, int inputs, Func<int, IObsColumnRule> ruleFor)
    {
        var ones = new double[inputs];
        Array.Fill(ones, 1.0);
        Parallel.For(0, outputs, r =>
        {
            var rule = ruleFor(r);
            var row = w.AsSpan(r * inputs, inputs);
            for (var j = 0; j < inputs; j++)
            {
                rule.Prepare(j, row, ones);
                row[j] = rule.Fix(j, row[j]);
            }
        });
    }
}
