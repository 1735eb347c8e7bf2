using ModelCompress.Onnx;

namespace ModelCompress.Testing;

/// <summary>
/// A deterministic speech-like test signal for audio models when no recording is at hand: a source-filter synthesis
/// in the manner of formant synthesizers (Klatt 1980). Voiced syllables are a glottal pulse train (a falling sawtooth
/// at a pitch that glides between 95 and 230 Hz, with a little jitter) through three two-pole resonators at vowel
/// formants (/a/, /i/, /u/, /e/, /o/ of an adult speaker); unvoiced consonants are white noise through a high
/// resonator (a fricative near 4–5 kHz); syllables have a raised-cosine envelope at about 4 syllables a second, and
/// pauses between phrases carry only faint background noise. Everything comes from a <see cref="DeterministicRandom"/>
/// and double arithmetic in a fixed order, so the samples are the same on every machine. It is not speech, but it has
/// speech's spectral shape, pitch, syllable rhythm and speech/silence alternation, which is what a VAD responds to.
/// </summary>
public static class SpeechLikeSignal
{
    // F1, F2, F3 in Hz of five vowels (Peterson & Barney 1952, adult male averages, rounded).
    private static readonly double[][] Vowels =
    [
        [730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480], [570, 840, 2410],
    ];

    /// <summary>
    /// <paramref name="count"/> samples at <paramref name="sampleRate"/> Hz, peak about 0.5, from <paramref name="seed"/>.
    /// </summary>
    public static float[] Generate(int count, int sampleRate, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 4000);
        var rng = new DeterministicRandom(seed);
        var output = new float[count];
        var at = 0;
        while (at < count)
        {
            // A phrase of 3–6 syllables, then a pause of 150–450 ms.
            var syllables = 3 + rng.NextInt(4);
            for (var s = 0; s < syllables && at < count; s++)
            {
                at = Syllable(output, at, sampleRate, rng);
            }

            var pause = (int)(sampleRate * (0.15 + (0.3 * rng.NextFloat())));
            for (var i = 0; i < pause && at < count; i++, at++)
            {
                output[at] = rng.NextUniform(0.003f);
            }
        }

        return output;
    }

    private static int Syllable(float[] output, int at, int sampleRate, DeterministicRandom rng)
    {
        // An optional unvoiced onset (a fricative, 40–90 ms), then a voiced vowel nucleus (140–260 ms).
        if (rng.NextInt(2) == 0)
        {
            var length = (int)(sampleRate * (0.04 + (0.05 * rng.NextFloat())));
            var fricative = new Resonator(Math.Min(4500, sampleRate * 0.4), 1200, sampleRate);
            for (var i = 0; i < length && at < output.Length; i++, at++)
            {
                var envelope = Math.Sin(Math.PI * i / length);
                output[at] = (float)(0.08 * envelope * fricative.Next(rng.NextUniform(1f)));
            }
        }

        var vowel = Vowels[rng.NextInt(Vowels.Length)];
        var formants = vowel.Select((f, k) => new Resonator(Math.Min(f, sampleRate * 0.45), 60 + (40 * k), sampleRate)).ToArray();
        var voiced = (int)(sampleRate * (0.14 + (0.12 * rng.NextFloat())));
        var pitchStart = 95 + (135 * rng.NextFloat());
        var pitchEnd = 95 + (135 * rng.NextFloat());
        var phase = 0.0;
        var peak = 0.0;
        var start = at;
        var samples = new double[voiced];
        for (var i = 0; i < voiced; i++)
        {
            var pitch = pitchStart + ((pitchEnd - pitchStart) * i / voiced);
            phase += pitch * (1 + rng.NextUniform(0.01f)) / sampleRate;
            phase -= Math.Floor(phase);
            var glottal = 1 - (2 * phase); // falling sawtooth: energy at every harmonic, tilting down like a voice
            var v = formants[0].Next(glottal) + (0.5 * formants[1].Next(glottal)) + (0.25 * formants[2].Next(glottal));
            samples[i] = v * 0.5 * (1 - Math.Cos(2 * Math.PI * i / voiced)); // raised-cosine syllable envelope
            peak = Math.Max(peak, Math.Abs(samples[i]));
        }

        var gain = peak > 0 ? (0.25 + (0.25 * rng.NextFloat())) / peak : 0;
        for (var i = 0; i < voiced && at < output.Length; i++, at++)
        {
            output[at] = (float)(samples[i] * gain) + rng.NextUniform(0.003f);
        }

        return at > start ? at : start + 1;
    }

    /// <summary>A two-pole resonator y[n] = a·x[n] + b·y[n−1] + c·y[n−2] at a centre frequency and bandwidth (Klatt 1980, eq. 1).</summary>
    private sealed class Resonator
    {
        private readonly double _a;
        private readonly double _b;
        private readonly double _c;
        private double _y1;
        private double _y2;

        public Resonator(double frequency, double bandwidth, int sampleRate)
        {
            var t = 1.0 / sampleRate;
            _c = -Math.Exp(-2 * Math.PI * bandwidth * t);
            _b = 2 * Math.Exp(-Math.PI * bandwidth * t) * Math.Cos(2 * Math.PI * frequency * t);
            _a = 1 - _b - _c;
        }

        public double Next(double x)
        {
            var y = (_a * x) + (_b * _y1) + (_c * _y2);
            _y2 = _y1;
            _y1 = y;
            return y;
        }
    }
}
