namespace ModelCompress.Quantization;

/// <summary>
/// What <see cref="ObsSolver"/> does with each column of one weight row: GPTQ rounds it to the int4 grid of its block,
/// SparseGPT keeps it or sets it to zero. One instance per row (it may keep per-row state such as the block's scale
/// or the mask).
/// </summary>
public interface IObsColumnRule
{
    /// <summary>
    /// Called before column <paramref name="column"/> is fixed, with the row as updated so far (columns ≥
    /// <paramref name="column"/> hold every update from the columns already fixed) and the factor's diagonal U_jj, so a
    /// rule can choose a block's scale or mask from current values (GPTQ §4, SparseGPT §3.3 "adaptive mask selection").
    /// </summary>
    void Prepare(int column, ReadOnlySpan<double> row, ReadOnlySpan<double> diagonal);

    /// <summary>The value column <paramref name="column"/> takes (its quantized value, or 0 when pruned).</summary>
    double Fix(int column, double value);
}
