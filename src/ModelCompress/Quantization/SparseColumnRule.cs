namespace ModelCompress.Quantization;

/// <summary>
/// SparseGPT's column rule for one weight row (Frantar and Alistarh, 2023, Algorithm 1): the mask is chosen from the
/// row's current values by the OBS saliency w_c² / U_cc² (eq. 3 with the Cholesky diagonal, §3.3), adaptively — for
/// unstructured sparsity once per block of <see cref="MaskBlock"/> columns, for N:M once per group of M columns,
/// where the M − N least salient go. Pruned columns become 0; the others keep their (updated) value.
/// <para>
/// Unstructured masks are chosen per row within a block (the paper's reference ranks a whole block of all rows
/// together): every output then loses the same share of its inputs, round(s · K) in total, and rows stay independent,
/// which lets them be solved in parallel with a deterministic result. Ties go to the lower column index. With N:M, a
/// last group shorter than M (K not a multiple of M) stays dense.
/// </para>
/// </summary>
internal sealed class SparseColumnRule(double sparsity, int maskBlock, int n, int m) : IObsColumnRule
{
    private bool[] _mask = [];

    /// <summary>Columns whose unstructured mask is chosen together.</summary>
    public int MaskBlock => maskBlock;

    /// <inheritdoc />
    public void Prepare(int column, ReadOnlySpan<double> row, ReadOnlySpan<double> diagonal)
    {
        if (_mask.Length == 0)
        {
            _mask = new bool[row.Length];
        }

        var k = row.Length;
        if (m > 0)
        {
            if (column % m == 0 && column + m <= k)
            {
                Choose(row, diagonal, column, m, m - n);
            }
        }
        else if (column % maskBlock == 0)
        {
            var end = Math.Min(column + maskBlock, k);
            var prune = (int)(Math.Round(sparsity * end, MidpointRounding.ToEven) - Math.Round(sparsity * column, MidpointRounding.ToEven));
            Choose(row, diagonal, column, end - column, prune);
        }
    }

    /// <inheritdoc />
    public double Fix(int column, double value) => _mask[column] ? 0 : value;

    // Marks the `prune` least salient of columns [start, start + length).
    private void Choose(ReadOnlySpan<double> row, ReadOnlySpan<double> diagonal, int start, int length, int prune)
    {
        if (prune <= 0)
        {
            return;
        }

        var order = new int[length];
        var saliency = new double[length];
        for (var i = 0; i < length; i++)
        {
            order[i] = i;
            var d = diagonal[start + i];
            saliency[i] = row[start + i] * row[start + i] / (d * d);
        }

        Array.Sort(order, (a, b) => saliency[a] != saliency[b] ? saliency[a].CompareTo(saliency[b]) : a.CompareTo(b));
        for (var i = 0; i < Math.Min(prune, length); i++)
        {
            _mask[start + order[i]] = true;
        }
    }
}
