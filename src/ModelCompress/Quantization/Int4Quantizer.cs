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
        ObsSolver.Solve(w, outputs, factor ?? InverseHessianFactor.Identity(inputs), r => new Int4ColumnRule(r, inputs, blockSize, symmetric, codes, grids), batch);
        return new Int4Weight(inputs, outputs, blockSize, symmetric, codes, grids, fallback);
    }
}
