namespace ModelCompress.Quantization;

/// <summary>
/// GPTQ's column rule for one output (a row of W [N, K]): at the first column of each block of
/// <see cref="BlockSize"/> inputs the block's grid (<see cref="Int4Grid"/>) is chosen from the row's current values
/// (already corrected for the earlier columns' errors, as GPTQ's reference does with groups), then each column is
/// rounded to it. Codes and grids are written to the caller's arrays at this row's places.
/// </summary>
/// <param name="Row">The output index n.</param>
/// <param name="Inputs">K.</param>
/// <param name="BlockSize">Inputs per block along K.</param>
/// <param name="Symmetric">Symmetric int4 or asymmetric uint4.</param>
/// <param name="Codes">Codes, row-major [N, K].</param>
/// <param name="Grids">Grids, row-major [N, ⌈K / block⌉].</param>
internal sealed record Int4ColumnRule(int Row, int Inputs, int BlockSize, bool Symmetric, int[] Codes, Int4Grid[] Grids) : IObsColumnRule
{
    private Int4Grid _grid;

    /// <inheritdoc />
    public void Prepare(int column, ReadOnlySpan<double> row, ReadOnlySpan<double> diagonal)
    {
        if (column % BlockSize == 0)
        {
            var end = Math.Min(column + BlockSize, row.Length);
            _grid = Int4Grid.For(row[column..end], Symmetric);
            var blocks = (Inputs + BlockSize - 1) / BlockSize;
            Grids[(Row * blocks) + (column / BlockSize)] = _grid;
        }
    }

    /// <inheritdoc />
    public double Fix(int column, double value)
    {
        var q = _grid.Quantize(value);
        Codes[(Row * Inputs) + column] = q;
        return _grid.Dequantize(q);
    }
}
