using System.Globalization;

namespace ModelCompress.Benchmarks;

/// <summary>
/// The draws of NumPy's <c>np.random.default_rng(seed)</c> that the peer's script (tools/ort_peer.py) uses to pick
/// its calibration windows, so that our runs calibrate on the very same windows without running Python:
/// <list type="bullet">
/// <item>seeding: NumPy's <c>SeedSequence</c> (O'Neill's seed_seq redesign: a 4-word pool mixed with multiply-xorshift
/// hashes, then <c>generate_state</c> of four 64-bit words);</item>
/// <item>the bit generator: PCG64 (O'Neill 2014, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
/// Algorithms", 128-bit LCG with the XSL-RR output function; state advanced before each output);</item>
/// <item><c>integers(low, high)</c> with int64 results and a range below 2^32: Lemire's nearly-divisionless bounded
/// draw (Lemire 2019, "Fast Random Integer Generation in an Interval") on 32-bit words, two per 64-bit output,
/// low half first.</item>
/// </list>
/// <see cref="SelfCheck"/> compares the port with values from NumPy's documentation and test data before any use.
/// </summary>
internal sealed class EvalNumpyRandom
{
    private const uint InitA = 0x43b0d7e5, MultA = 0x931e8875, InitB = 0x8b51f9dd, MultB = 0x58f38ded;
    private const uint MixMultL = 0xca01f9dd, MixMultR = 0x4973f715;
    private const int PoolSize = 4;

    // PCG's default 128-bit multiplier.
    private static readonly UInt128 Multiplier = new(0x2360ED051FC65DA4UL, 0x4385DF649FCCF645UL);

    private UInt128 _state;
    private readonly UInt128 _increment;
    private bool _hasHalf;
    private uint _half;

    /// <summary>Seeds like <c>np.random.default_rng(seed)</c> for a non-negative integer seed.</summary>
    public EvalNumpyRandom(ulong seed)
    {
        var words = GenerateState(MixEntropy(EntropyWords(seed)), 8);
        var s = new UInt128(Join(words[0], words[1]), Join(words[2], words[3]));
        var inc = new UInt128(Join(words[4], words[5]), Join(words[6], words[7]));
        // pcg_setseq_128_srandom: state 0, odd increment from the sequence word, step, add the seed, step.
        _increment = (inc << 1) | 1;
        _state = 0;
        Step();
        _state += s;
        Step();
    }

    /// <summary>The next raw 64-bit output (<c>bit_generator.random_raw()</c>).</summary>
    public ulong NextUInt64()
    {
        Step();
        // XSL-RR: xor the halves, rotate right by the top 6 bits of the state.
        var folded = (ulong)(_state >> 64) ^ (ulong)_state;
        var rot = (int)(_state >> 122);
        return ulong.RotateRight(folded, rot);
    }

    /// <summary><c>Generator.random()</c>: 53 high bits of a 64-bit output scaled to [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>
    /// <c>Generator.integers(low, high, count)</c> (int64, high exclusive) for ranges below 2^32, the only case the
    /// peer's script needs.
    /// </summary>
    public long[] Integers(long low, long high, int count)
    {
        var range = (ulong)(high - 1 - low); // NumPy draws on the closed interval [low, high - 1]
        if (high <= low || range >= 0xFFFFFFFFUL)
        {
            throw new ArgumentOutOfRangeException(nameof(high), "only 0 < high - low <= 2^32 - 1 is ported");
        }

        var result = new long[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = low + (long)BoundedLemire32((uint)range);
        }

        return result;
    }

    /// <summary>
    /// Checks the port against NumPy's own outputs: <c>default_rng(12345).random()</c> = 0.22733602246716966 and
    /// <c>default_rng(12345).integers(low=0, high=10, size=3)</c> = [6, 2, 7] (NumPy's random-module documentation),
    /// and the first raw outputs of <c>default_rng(42)</c>. Throws when any differs.
    /// </summary>
    public static void SelfCheck()
    {
        var doubles = new EvalNumpyRandom(12345);
        double[] expected = [0.22733602246716966, 0.31675833970975287, 0.79736545733273412, 0.67625467075097456, 0.391109550601909];
        foreach (var e in expected)
        {
            Require(doubles.NextDouble() == e, "default_rng(12345).random()");
        }

        Require(new EvalNumpyRandom(12345).Integers(0, 10, 3).SequenceEqual([6L, 2L, 7L]), "default_rng(12345).integers(0, 10, 3)");
        var raw = new EvalNumpyRandom(42);
        Require(raw.NextUInt64() == 0xc621fbcd16d92688UL && raw.NextUInt64() == 0x705a5661a791ffc1UL, "default_rng(42) raw outputs");
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"The NumPy PCG64 port does not reproduce {what}; peer calibration windows cannot be rebuilt.");
        }
    }

    private void Step() => _state = (_state * Multiplier) + _increment;

    /// <summary>Lemire's method on 32-bit words: multiply, keep the high half, reject the biased low halves.</summary>
    private uint BoundedLemire32(uint range)
    {
        var exclusive = range + 1;
        var m = (ulong)NextUInt32() * exclusive;
        var leftover = (uint)m;
        if (leftover < exclusive)
        {
            var threshold = (uint.MaxValue - range) % exclusive;
            while (leftover < threshold)
            {
                m = (ulong)NextUInt32() * exclusive;
                leftover = (uint)m;
            }
        }

        return (uint)(m >> 32);
    }

    /// <summary>PCG64's 32-bit draw: the low half of a fresh 64-bit output, the high half kept for the next call.</summary>
    private uint NextUInt32()
    {
        if (_hasHalf)
        {
            _hasHalf = false;
            return _half;
        }

        var next = NextUInt64();
        _hasHalf = true;
        _half = (uint)(next >> 32);
        return (uint)next;
    }

    private static ulong Join(uint low, uint high) => ((ulong)high << 32) | low;

    /// <summary>An integer seed as little-endian 32-bit words (at least one).</summary>
    private static uint[] EntropyWords(ulong seed) => seed >> 32 == 0 ? [(uint)seed] : [(uint)seed, (uint)(seed >> 32)];

    private static uint HashMix(uint value, ref uint hashConst)
    {
        value ^= hashConst;
        hashConst *= MultA;
        value *= hashConst;
        return value ^ (value >> 16);
    }

    private static uint Mix(uint x, uint y)
    {
        var r = (MixMultL * x) - (MixMultR * y);
        return r ^ (r >> 16);
    }

    /// <summary>SeedSequence's pool: hash each entropy word in, then let every pool word influence every other.</summary>
    private static uint[] MixEntropy(uint[] entropy)
    {
        var hashConst = InitA;
        var pool = new uint[PoolSize];
        for (var i = 0; i < PoolSize; i++)
        {
            pool[i] = HashMix(i < entropy.Length ? entropy[i] : 0, ref hashConst);
        }

        for (var src = 0; src < PoolSize; src++)
        {
            for (var dst = 0; dst < PoolSize; dst++)
            {
                if (src != dst)
                {
                    pool[dst] = Mix(pool[dst], HashMix(pool[src], ref hashConst));
                }
            }
        }

        for (var src = PoolSize; src < entropy.Length; src++)
        {
            for (var dst = 0; dst < PoolSize; dst++)
            {
                pool[dst] = Mix(pool[dst], HashMix(entropy[src], ref hashConst));
            }
        }

        return pool;
    }

    /// <summary>SeedSequence.generate_state: cycle through the pool, hashing each word with a running constant.</summary>
    private static uint[] GenerateState(uint[] pool, int words)
    {
        var hashConst = InitB;
        var state = new uint[words];
        for (var i = 0; i < words; i++)
        {
            var v = pool[i % pool.Length];
            v ^= hashConst;
            hashConst *= MultB;
            v *= hashConst;
            state[i] = v ^ (v >> 16);
        }

        return state;
    }

    /// <summary>For messages: the first few values of a draw.</summary>
    public static string Preview(IEnumerable<long> values) =>
        string.Join(", ", values.Take(4).Select(v => v.ToString(CultureInfo.InvariantCulture))) + ", ...";
}
