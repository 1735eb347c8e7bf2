namespace ModelCompress.Quantization;

/// <summary>
/// GPTQ's column rule for one output row of an int8 weight on the symmetric grid round-to-nearest uses
/// (<see cref="WeightQuantizer"/>: S = max|W| / 127, codes −127…127). The row's scale stays the one its original
/// values give, and the column that held max|W| (<paramref name="Anchor"/>) is fixed at ±127·S whatever the earlier
/// columns' errors moved it to: the rounded row then still has max|W| = 127·S, so the static quantizer, which
/// derives the scale from the values it is handed, finds the same scale and the same codes.
/// </summary>
/// <param name="Scale">The row's scale S.</param>
/// <param name="Anchor">The column fixed at the grid's end, or −1 for none (an all-zero row, or another row holds a per-tensor maximum).</param>
/// <param name="AnchorSign">The sign of the anchor's original value.</param>
internal sealed record Int8ColumnRule(double Scale, int Anchor, int AnchorSign) : IObsColumnRule
{
    /// <inheritdoc />
    public void Prepare(int column, ReadOnlySpan<double> row, ReadOnlySpan<double> diagonal)
    {
    }

    /// <inheritdoc />
    public double Fix(int column, double value)
    {
        if (column == Anchor)
        {
            return AnchorSign * 127 * Scale;
        }

        if (Scale == 0)
        {
            return 0;
        }

        var q = Math.Clamp(Math.Round(value / Scale, MidpointRounding.ToEven), -127, 127);
        return q * Scale;
    }
}
