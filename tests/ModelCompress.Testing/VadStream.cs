using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Testing;

/// <summary>
/// Runs a Silero-style voice-activity model over audio the way it is used: chunk after chunk, the state it returns fed
/// back into the next chunk. Two layouts are known: the current release's (<c>input</c>, <c>state</c>, <c>sr</c> →
/// <c>output</c>, <c>stateN</c>) and the legacy one's (<c>input</c>, <c>sr</c>, <c>h</c>, <c>c</c> → <c>output</c>,
/// <c>hn</c>, <c>cn</c>). The result is every chunk's probability followed by the final state, so comparing two runs
/// compares what a caller sees.
/// </summary>
public static class VadStream
{
    /// <summary>Runs the serialized model over <paramref name="audio"/> in chunks of <paramref name="chunk"/> samples.</summary>
    public static VadRun Run(byte[] model, float[] audio, int sampleRate, int chunk)
    {
        ArgumentNullException.ThrowIfNull(audio);
        using var options = OrtRun.DeterministicOptions();
        using var session = new InferenceSession(model, options);
        var legacy = session.InputMetadata.ContainsKey("h");
        var stateShape = legacy ? session.InputMetadata["h"].Dimensions : session.InputMetadata["state"].Dimensions;
        var size = 1;
        var dims = stateShape.Select(d => (long)(d < 0 ? 1 : d)).ToArray();
        foreach (var d in dims)
        {
            size *= (int)d;
        }

        var h = new float[size];
        var c = new float[size];
        var probabilities = new List<float>();
        for (var at = 0; at + chunk <= audio.Length; at += chunk)
        {
            var samples = audio.AsSpan(at, chunk).ToArray();
            OrtInput[] inputs = legacy
                ? [OrtInput.Float("input", samples, 1, chunk), OrtInput.Int64("sr", [sampleRate]), OrtInput.Float("h", h, dims), OrtInput.Float("c", c, dims)]
                : [OrtInput.Float("input", samples, 1, chunk), OrtInput.Float("state", h, dims), OrtInput.Int64("sr", [sampleRate])];
            var outputs = OrtRun.Run(session, inputs);
            probabilities.Add(outputs.Single(o => o.Name == "output").Floats[0]);
            if (legacy)
            {
                h = outputs.Single(o => o.Name == "hn").Floats;
                c = outputs.Single(o => o.Name == "cn").Floats;
            }
            else
            {
                h = outputs.Single(o => o.Name == "stateN").Floats;
            }
        }

        return new VadRun([.. probabilities], legacy ? [.. h, .. c] : h);
    }

    /// <summary>
    /// Cosine of the two vectors after each has its own mean taken out (Pearson's correlation): unlike the plain cosine
    /// it is not near 1 merely because both are positive probabilities around the same level.
    /// </summary>
    public static double CenteredCosine(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ma = a.Average(v => (double)v);
        var mb = b.Average(v => (double)v);
        return Cosine([.. a.Select(v => (float)(v - ma))], [.. b.Select(v => (float)(v - mb))]);
    }

    /// <summary>Cosine similarity of two equally long vectors (double accumulation, in order).</summary>
    public static double Cosine(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"Lengths differ: {a.Count} and {b.Count}.", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? (na == nb ? 1 : 0) : dot / Math.Sqrt(na * nb);
    }
}
