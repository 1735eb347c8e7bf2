using ModelCompress.Data;

namespace ModelCompress.Calibration;

/// <summary>
/// Calibration samples cut from arrays bound to the model's inputs (<c>.npy</c>, <c>.npz</c>, MNIST IDX): sample i
/// is row i of every input's array, in the model's shape and element type. When the file holds more samples than
/// asked for, a seeded draw picks which (read in file order).
/// </summary>
public sealed class ArrayCalibrationSource : ICalibrationSource
{
    private readonly SampleSet _set;
    private readonly long[] _indices;

    /// <summary>Draws up to <paramref name="samples"/> samples of <paramref name="set"/> with <paramref name="seed"/>.</summary>
    public ArrayCalibrationSource(SampleSet set, int samples, int seed)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        _set = set;
        _indices = set.Count <= samples
            ? [.. Enumerable.Range(0, (int)set.Count).Select(i => (long)i)]
            : SeededSubset.Draw(set.Count, samples, seed);
    }

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public string Description => _set.SourcePath;

    /// <summary>The sample indices used, in order.</summary>
    public IReadOnlyList<long> Indices => _indices;

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<CalibrationInput>> Samples()
    {
        foreach (var index in _indices)
        {
            yield return [.. _set.GetSample(index).Select(s => new CalibrationInput(s.Input.Name, [.. s.Value.Shape], s.Value.Data))];
        }
    }
}
