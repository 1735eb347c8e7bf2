namespace ModelCompress.Verification;

/// <summary>One bound's outcome with the threshold it came from (for its recipe location).</summary>
/// <param name="Threshold">The recipe threshold.</param>
/// <param name="Outcome">The verdict of one of its bounds.</param>
internal sealed record GateVerdict(GateThreshold Threshold, GateOutcome Outcome);
