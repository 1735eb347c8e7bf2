using System.Globalization;

namespace ModelCompress.Recipe;

/// <summary>
/// An N:M semi-structured pattern: at most <paramref name="N"/> non-zero weights in every group of
/// <paramref name="M"/> consecutive weights along the reduction axis (NVIDIA's "2:4" convention).
/// </summary>
/// <param name="N">Non-zero weights kept per group.</param>
/// <param name="M">Group size.</param>
public sealed record SparsityPattern(int N, int M)
{
    /// <summary>The fraction of weights the pattern removes, 1 − N/M.</summary>
    public double Sparsity => 1.0 - ((double)N / M);

    /// <summary>The written form, e.g. <c>2:4</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{N}:{M}");
}
