namespace ModelCompress.Fuzz;

/// <summary>
/// Shrinks a crashing input: removes ever smaller chunks while the same crash signature comes back, so the committed
/// regression file shows the few bytes that matter.
/// </summary>
public static class Minimizer
{
    /// <summary>The smallest input found (within a budget of executions and 30 s) that still crashes with <paramref name="signature"/>.</summary>
    public static byte[] Minimize(IFuzzTarget target, byte[] input, string signature, string scratch, TimeSpan timeout, int budget = 3000)
    {
        ArgumentNullException.ThrowIfNull(input);
        var best = input;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var chunk = Math.Max(1, best.Length / 2); chunk >= 1 && budget > 0; chunk /= 2)
        {
            for (var at = 0; at + chunk <= best.Length && budget > 0 && DateTime.UtcNow < deadline;)
            {
                var candidate = new byte[best.Length - chunk];
                best.AsSpan(0, at).CopyTo(candidate);
                best.AsSpan(at + chunk).CopyTo(candidate.AsSpan(at));
                budget--;
                var run = FuzzExecution.Run(target, candidate, scratch, timeout);
                if (run.Result == FuzzResult.Crash && run.Signature == signature)
                {
                    best = candidate;
                }
                else
                {
                    at += chunk;
                }
            }
        }

        return best;
    }
}
