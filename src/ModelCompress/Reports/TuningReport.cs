namespace ModelCompress.Reports;

/// <summary>What accuracy-driven tuning (<c>tune:</c>) did for one model.</summary>
/// <param name="Objective">size, latency or accuracy.</param>
/// <param name="Candidates">How many candidates the space held.</param>
/// <param name="Trials">Every trial, in the order run (empty when the decision was read back).</param>
/// <param name="Chosen">The chosen candidate's number (the closest one when none passed).</param>
/// <param name="ChosenLabel">The chosen candidate's description.</param>
/// <param name="Passed">Whether the chosen candidate met the thresholds in its trial.</param>
/// <param name="Reason">Why it was chosen, in words (the build's one-line message says the same).</param>
/// <param name="FromCache">Whether the decision was read back from an earlier run with the same inputs.</param>
/// <param name="StopReason">Why the trials stopped: first-pass, all-tried, max-trials or max-seconds.</param>
/// <param name="Milliseconds">Time spent choosing: the trials, or reading the decision back.</param>
public sealed record TuningReport(
    string Objective,
    int Candidates,
    IReadOnlyList<TuneTrial> Trials,
    int Chosen,
    string ChosenLabel,
    bool Passed,
    string Reason,
    bool FromCache,
    string StopReason,
    double Milliseconds);
