namespace ModelCompress.Calibration;

/// <summary>Calibration samples held in memory (tests, and callers that already hold their data).</summary>
/// <param name="samples">The samples, each one tensor per model input.</param>
/// <param name="description">What they are, for messages.</param>
public sealed class InMemoryCalibrationSource(IReadOnlyList<IReadOnlyList<CalibrationInput>> samples, string description = "in-memory samples")
    : ICalibrationSource
{
    /// <inheritdoc />
    public int Count => samples.Count;

    /// <inheritdoc />
    public string Description => description;

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<CalibrationInput>> Samples() => samples;
}
