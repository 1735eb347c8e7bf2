using System.Globalization;
using ModelCompress.Reports;

namespace ModelCompress.Cli.Verbs;

/// <summary>The one-line cache summary <c>run</c> prints under each model.</summary>
internal static class CacheSummaryText
{
    /// <summary>
    /// E.g. <c>cache: 35 of 36 layer(s) read back, 1 computed; calibration: 1 read back, 1 run; ONNX Runtime ran 3 of 9
    /// model segment(s); 2.41 s saved</c> (segments only for models cut into segments); null when the run used no cache.
    /// </summary>
    public static string? Describe(CompressionReport report, string modelName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var timings = report.Timings.Models.FirstOrDefault(m => m.Name == modelName);
        if (timings?.ReadBack == true)
        {
            return "cache: nothing changed since the last run; its report read back and the outputs kept as they are";
        }

        var cache = timings?.Cache;
        if (cache is null)
        {
            return null;
        }

        var layers = cache.LayerHits + cache.LayerMisses;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"cache: {cache.LayerHits} of {layers} layer(s) read back, {cache.LayerMisses} computed");
        if (cache.CalibrationHits + cache.CalibrationMisses > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $"; calibration: {cache.CalibrationHits} read back, {cache.CalibrationMisses} run");
        }

        if (cache.RemoteHits is { } remote)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; {remote} read from the remote cache");
        }

        // Models cut into segments: how much of the calibration and verification ONNX Runtime actually ran.
        var segmented = cache.Lookups.Where(l => l.Segments is not null).ToList();
        if (segmented.Count > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $"; ONNX Runtime ran {segmented.Sum(l => l.SegmentsRun ?? 0)} of {segmented.Sum(l => l.Segments ?? 0)} model segment(s)");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $"; {cache.SavedMilliseconds / 1000:0.00} s saved");
    }
}
