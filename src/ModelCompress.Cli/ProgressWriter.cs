using System.Globalization;
using ModelCompress.Engine;

namespace ModelCompress.Cli;

/// <summary>
/// Shows engine progress on stdout: a single rewritten line when stdout is a terminal, otherwise one plain line per
/// phase (so logs and the build task's output stay readable and free of control characters).
/// </summary>
internal sealed class ProgressWriter(TextWriter stdout, bool interactive)
{
    private string? _lastPhase;
    private int _lastWidth;

    public void Report(CompressProgress p)
    {
        if (interactive)
        {
            var text = p.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Model}: {p.Phase} {p.Done}/{p.Total} {p.Detail}")
                : $"{p.Model}: {p.Phase} {p.Detail}";
            var pad = Math.Max(0, _lastWidth - text.Length);
            stdout.Write("\r" + text + new string(' ', pad));
            _lastWidth = text.Length;
            return;
        }

        var key = p.Model + "\0" + p.Phase;
        if (key != _lastPhase)
        {
            _lastPhase = key;
            stdout.WriteLine(p.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Model}: {p.Phase} ({p.Total})")
                : $"{p.Model}: {p.Phase}");
        }
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
}
