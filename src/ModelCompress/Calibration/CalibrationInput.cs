namespace ModelCompress.Calibration;

/// <summary>
/// One model input of one calibration sample: a dense row-major tensor. <see cref="Data"/> is a <c>float[]</c>,
/// <c>long[]</c>, <c>int[]</c>, <c>byte[]</c>, <c>sbyte[]</c> or <c>double[]</c> matching the model input's element type.
/// </summary>
/// <param name="Name">The graph input it feeds.</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="Data">Its values.</param>
public sealed record CalibrationInput(string Name, long[] Shape, Array Data);
