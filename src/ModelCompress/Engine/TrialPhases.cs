using System.Diagnostics;
using ModelCompress.Reports;

namespace ModelCompress.Engine;

/// <summary>
/// A tuning trial's stopwatch by phase: <see cref="Lap"/> closes the phase running since the previous lap, less the
/// time <see cref="Time"/> already charged to nested phases inside it (the passes' calibration within their steps).
/// </summary>
internal sealed class TrialPhases
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TunePhase> _phases = [];
    private double _lapStart;
    private double _nested;

    /// <summary>Runs <paramref name="body"/> and charges its time to the phase <paramref name="name"/>.</summary>
    public T Time<T>(string name, Func<T> body)
    {
        var start = _clock.Elapsed.TotalMilliseconds;
        try
        {
            return body();
        }
        finally
        {
            var spent = _clock.Elapsed.TotalMilliseconds - start;
            _nested += spent;
            Add(name, spent);
        }
    }

    /// <summary>Ends the phase <paramref name="name"/>, which ran since the previous lap.</summary>
    public void Lap(string name)
    {
        var now = _clock.Elapsed.TotalMilliseconds;
        Add(name, now - _lapStart - _nested);
        _lapStart = now;
        _nested = 0;
    }

    /// <summary>The phases in the order first met, rounded to the microsecond.</summary>
    public List<TunePhase> ToList() => [.. _phases.Select(p => p with { Milliseconds = Math.Round(p.Milliseconds, 3) })];

    private void Add(string name, double ms)
    {
        var at = _phases.FindIndex(p => p.Name == name);
        if (at < 0)
        {
            _phases.Add(new TunePhase(name, ms));
        }
        else
        {
            _phases[at] = _phases[at] with { Milliseconds = _phases[at].Milliseconds + ms };
        }
    }
}
