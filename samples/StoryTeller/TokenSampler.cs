namespace StoryTeller;

/// <summary>
/// Picks the next token from logits: greedy (temperature 0: the largest logit, the first on ties), or
/// temperature plus nucleus (top-p) sampling (Holtzman et al. 2020) as run.c does it — softmax(logits / T), keep the
/// most probable tokens until their mass exceeds p, draw from them — with a seeded generator so a seed always gives
/// the same story.
/// </summary>
public sealed class TokenSampler
{
    private readonly Random _random;

    /// <summary>Creates a sampler; <paramref name="temperature"/> 0 is greedy.</summary>
    public TokenSampler(float temperature, float topP, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(temperature);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topP);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(topP, 1f);
        Temperature = temperature;
        TopP = topP;
        _random = new Random(seed);
    }

    /// <summary>The softmax temperature; 0 means greedy.</summary>
    public float Temperature { get; }

    /// <summary>The nucleus mass; 1 samples from the whole distribution.</summary>
    public float TopP { get; }

    /// <summary>The index of the largest value, the first one on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The next token for <paramref name="logits"/> (one position, vocab entries).</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (Temperature == 0f)
        {
            return ArgMax(logits);
        }

        var probs = new float[logits.Length];
        var max = logits[ArgMax(logits)];
        var sum = 0.0;
        for (var i = 0; i < probs.Length; i++)
        {
            probs[i] = MathF.Exp((logits[i] - max) / Temperature);
            sum += probs[i];
        }

        // Most probable first; ties by id, so the order (and the draw) never depends on the sort's stability.
        var order = Enumerable.Range(0, probs.Length).ToArray();
        Array.Sort(order, (a, b) => probs[a] != probs[b] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b));
        var keep = order.Length;
        var mass = 0.0;
        for (var i = 0; i < order.Length; i++)
        {
            mass += probs[order[i]] / sum;
            if (mass > TopP)
            {
                keep = i + 1;
                break;
            }
        }

        var kept = 0.0;
        for (var i = 0; i < keep; i++)
        {
            kept += probs[order[i]];
        }

        var coin = _random.NextDouble() * kept;
        for (var i = 0; i < keep; i++)
        {
            coin -= probs[order[i]];
            if (coin < 0)
            {
                return order[i];
            }
        }

        return order[keep - 1];
    }
}
