namespace ModelCompress.Pruning;

/// <summary>
/// Wanda's importance (Sun et al., 2023, "A Simple and Effective Pruning Approach for Large Language Models", Eq. 1):
/// S_ij = |W_ij| · ‖X_j‖₂, where ‖X_j‖₂ is the L2 norm of input channel j over every calibration token. A weight
/// matters as much as it is large times how much signal its input carries.
/// </summary>
public static class WandaScores
{
    /// <summary>
    /// The scores of a logical [rows × cols] matrix given each input channel's Σx² over the calibration rows. For a
    /// grouped Conv, <paramref name="sumSquares"/> holds one set of cols norms per group (its patch columns), and row r
    /// (an output channel of group r / (rows / groups)) is weighed by its own group's.
    /// </summary>
    public static double[] Compute(ReadOnlySpan<float> w, int rows, int cols, ReadOnlySpan<double> sumSquares)
    {
        var groups = cols == 0 ? 1 : sumSquares.Length / cols;
        if (groups < 1 || sumSquares.Length != groups * cols || rows % groups != 0 || (long)rows * cols != w.Length)
        {
            throw new ArgumentException($"{sumSquares.Length} channel norms for a {rows}x{cols} weight");
        }

        var norms = new double[sumSquares.Length];
        for (var j = 0; j < norms.Length; j++)
        {
            norms[j] = Math.Sqrt(sumSquares[j]);
        }

        var perGroup = rows / groups;
        var s = new double[w.Length];
        for (var r = 0; r < rows; r++)
        {
            var offset = r / perGroup * cols;
            for (var j = 0; j < cols; j++)
            {
                s[(r * cols) + j] = Math.Abs(w[(r * cols) + j]) * norms[offset + j];
            }
        }

        return s;
    }
}
