namespace ModelCompress.Calibration;

/// <summary>
/// Calibration samples, read lazily one at a time so that any number of them fits in bounded memory. Every
/// enumeration yields the same samples in the same order (sampling is seeded), so two runs calibrate identically.
/// </summary>
public interface ICalibrationSource
{
    /// <summary>How many samples an enumeration yields.</summary>
    int Count { get; }

    /// <summary>What the samples are, for messages (e.g. the data file).</summary>
    string Description { get; }

    /// <summary>The samples: for each, one tensor per model input.</summary>
    IEnumerable<IReadOnlyList<CalibrationInput>> Samples();
}
