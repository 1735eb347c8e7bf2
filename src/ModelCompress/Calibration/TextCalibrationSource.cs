using ModelCompress.Onnx;

namespace ModelCompress.Calibration;

/// <summary>
/// Language-model calibration from text: the token ids of a text are cut into windows of <see cref="SeqLen"/> tokens
/// whose distinct start positions are drawn with a seeded generator (<see cref="DeterministicRandom"/>) and read
/// front to back, so a recipe always calibrates on the same windows. Each sample is one window, shaped [1, seq_len], in the input's integer type.
/// </summary>
public sealed class TextCalibrationSource : ICalibrationSource
{
    private readonly int[] _tokens;
    private readonly int[] _starts;
    private readonly string _inputName;
    private readonly TensorDataType _inputType;

    /// <summary>Creates windows over <paramref name="tokens"/>.</summary>
    /// <param name="tokens">The whole text's token ids.</param>
    /// <param name="seqLen">Tokens per window.</param>
    /// <param name="samples">Windows to draw (fewer when the text has fewer distinct start positions).</param>
    /// <param name="seed">Seed of the start positions.</param>
    /// <param name="inputName">The model input the windows feed.</param>
    /// <param name="inputType">Its element type (Int64 or Int32).</param>
    /// <param name="description">The text's origin, for messages.</param>
    public TextCalibrationSource(int[] tokens, int seqLen, int samples, int seed, string inputName, TensorDataType inputType, string description)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seqLen);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        _tokens = tokens;
        SeqLen = seqLen;
        _inputName = inputName;
        _inputType = inputType;
        Description = description;
        _starts = tokens.Length < seqLen ? [] : [.. SeededSubset.Draw(tokens.Length - seqLen + 1, samples, seed).Select(s => (int)s)];
    }

    /// <summary>Tokens per window.</summary>
    public int SeqLen { get; }

    /// <summary>The window start positions, in the order samples are yielded.</summary>
    public IReadOnlyList<int> Starts => _starts;

    /// <inheritdoc />
    public int Count => _starts.Length;

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<CalibrationInput>> Samples()
    {
        foreach (var start in _starts)
        {
            var window = _tokens.AsSpan(start, SeqLen);
            Array data = _inputType == TensorDataType.Int32 ? window.ToArray() : ToInt64(window);
            yield return [new CalibrationInput(_inputName, [1, SeqLen], data)];
        }
    }

    private static long[] ToInt64(ReadOnlySpan<int> window)
    {
        var result = new long[window.Length];
        for (var i = 0; i < window.Length; i++)
        {
            result[i] = window[i];
        }

        return result;
    }
}
