namespace ModelCompress.Reports;

/// <summary>Time one tuning trial spent in one phase (see <see cref="TuneTrial.Phases"/>).</summary>
/// <param name="Name">The phase: load, calibration, steps, write, verify or latency.</param>
/// <param name="Milliseconds">Wall-clock time spent in it.</param>
public sealed record TunePhase(string Name, double Milliseconds);
