using System.Diagnostics;
using System.Globalization;
using ModelCompress.Engine;

namespace ModelCompress.Cli;

/// <summary>
/// Shows engine progress on stdout. On a terminal: one line rewritten in place with the model, the step, how far
/// along it is (layer i/N, calibration or verification samples i/N, with a percentage) and an estimate of the time
/// left in the step. Redirected (logs, CI, the build task, whose stdout MSBuild logs at normal importance): one plain
/// line per step, free of control characters.
/// </summary>
internal sealed class ProgressWriter(TextWriter stdout, bool interactive, Func<TimeSpan>? clock = null)
{
    private readonly Func<TimeSpan> _clock = clock ?? StartClock();
    private string? _lastPhase;
    private int _lastWidth;
    private TimeSpan _phaseStart;

    public void Report(CompressProgress p)
    {
        var key = p.Model + "\0" + p.Phase;
        var now = _clock();
        var newPhase = key != _lastPhase;
        if (newPhase)
        {
            _lastPhase = key;
            _phaseStart = now;
        }

        if (interactive)
        {
            var text = Describe(p, now - _phaseStart);
            var pad = Math.Max(0, _lastWidth - text.Length);
            stdout.Write("\r" + text + new string(' ', pad));
            _lastWidth = text.Length;
            return;
        }

        if (newPhase)
        {
            stdout.WriteLine(p.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Model}: {p.Phase} ({p.Total} {Unit(p.Phase)})")
                : $"{p.Model}: {p.Phase}");
        }
    }

    private static Func<TimeSpan> StartClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    /// <summary>Ends the live line so later output starts on a fresh line.</summary>
    public void Finish()
    {
        if (interactive && _lastWidth > 0)
        {
            stdout.Write("\r" + new string(' ', _lastWidth) + "\r");
            _lastWidth = 0;
        }
    }

    /// <summary>
    /// The live line, e.g. <c>encoder: smoothquant layer 12/36 (33%) blocks.2.mlp.fc1, about 0:41 left</c>. The estimate
    /// assumes the remaining units cost what the finished ones did on average; it appears once one unit is done.
    /// </summary>
    internal static string Describe(CompressProgress p, TimeSpan elapsed)
    {
        if (p.Total <= 0)
        {
            return $"{p.Model}: {p.Phase} {p.Detail}".TrimEnd();
        }

        var text = string.Create(CultureInfo.InvariantCulture,
            $"{p.Model}: {p.Phase} {UnitOne(p.Phase)} {p.Done}/{p.Total} ({100.0 * p.Done / p.Total:0}%)");
        if (!string.IsNullOrEmpty(p.Detail))
        {
            text += " " + p.Detail;
        }

        if (p.Done > 0 && p.Done < p.Total)
        {
            var left = TimeSpan.FromTicks((long)(elapsed.Ticks * (double)(p.Total - p.Done) / p.Done));
            text += ", about " + Clock(left) + " left";
        }

        return text;
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");

    /// <summary>What a phase counts: calibration and verification count samples, passes count layers.</summary>
    private static string Unit(string phase) => UnitOne(phase) + "s";

    private static string UnitOne(string phase) => phase switch
    {
        "calibrate" or "verify" or "per-layer" => "sample",
        "fallback" => "attempt",
        _ => "layer",
    };
}
