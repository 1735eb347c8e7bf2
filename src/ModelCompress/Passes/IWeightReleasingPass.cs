namespace ModelCompress.Passes;

/// <summary>
/// A calibrated pass whose layer work needs a layer's weight values only while its result is made (SmoothQuant, static
/// int8). On a model whose weights are not all held in memory (external data, or lazily rescaled tensors) the runner
/// drops each layer's values once its result is made (<see cref="PassLayer.ReleaseWeights"/>); what reads them later
/// (Apply's report, the next step) reads the same bytes again from the immutable tensor, so the output does not change
/// and the float weights pass through memory a layer at a time. On a model held in memory they are kept: reading them
/// again would only cost time.
/// </summary>
public interface IWeightReleasingPass : ICompressionPass
{
}
