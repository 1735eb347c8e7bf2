namespace ModelCompress.Verification;

/// <summary>One bound's outcome with the threshold it came from (for its recipe location).</summary>
/// <param name="Threshold">The recipe threshold.</param>
/// <param name="Outcome">The verdict of one of its bounds.</param>
/// <param name="ValueText">The measured value as messages print it: with as many digits as it takes to be on the
/// same side of the bound as the value itself.</param>
internal sealed record GateVerdict(GateThreshold Threshold, GateOutcome Outcome, string ValueText);
