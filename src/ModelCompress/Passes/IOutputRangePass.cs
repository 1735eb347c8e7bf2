using ModelCompress.Calibration;

namespace ModelCompress.Passes;

/// <summary>
/// A pass that needs, besides its layers' input statistics, the calibrated ranges of other values of the graph
/// (static int8's quantized Conv outputs). The engine gathers them in the same calibration run and hands them over
/// before <see cref="ICompressionPass.Apply"/>.
/// </summary>
public interface IOutputRangePass
{
    /// <summary>The values whose statistics the pass needs, found by the last <see cref="ICompressionPass.FindLayers"/>.</summary>
    IReadOnlyList<string> RangeValues { get; }

    /// <summary>Receives the statistics of <see cref="RangeValues"/> (and of the layers' inputs).</summary>
    void TakeRanges(IReadOnlyDictionary<string, LayerInputStatistics> statistics);
}
