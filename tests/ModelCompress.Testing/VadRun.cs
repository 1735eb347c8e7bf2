namespace ModelCompress.Testing;

/// <summary>One streamed run: each chunk's speech probability, and the state after the last chunk.</summary>
/// <param name="Probabilities">Per chunk, in order.</param>
/// <param name="FinalState">h then c (legacy layout), or the state tensor.</param>
public sealed record VadRun(float[] Probabilities, float[] FinalState)
{
    /// <summary>The largest absolute difference between this run's probabilities and <paramref name="other"/>'s.</summary>
    public double MaxProbabilityDifference(VadRun other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Probabilities.Zip(other.Probabilities, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();
    }
}
