using ModelCompress.Data;

namespace ModelCompress.Calibration;

/// <summary>
/// Calibration samples cut from arrays bound to the model's inputs (<c>.npy</c>, <c>.npz</c>, MNIST IDX): sample i
/// is row i of every input's array, in the model's shape and element type. The set decides how many rows are used
/// (the first <c>samples</c> of the file, as the engine reads data everywhere).
/// </summary>
/// <param name="set">The bound arrays.</param>
public sealed class ArrayCalibrationSource(SampleSet set) : ICalibrationSource
{
    /// <inheritdoc />
    public int Count => (int)Math.Min(set.Count, int.MaxValue);

    /// <inheritdoc />
    public string Description => set.SourcePath;

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<CalibrationInput>> Samples()
    {
        for (long index = 0; index < Count; index++)
        {
            yield return [.. set.GetSample(index).Select(s => new CalibrationInput(s.Input.Name, [.. s.Value.Shape], s.Value.Data))];
        }
    }
}
