namespace ModelCompress.Passes;

/// <summary>
/// A pass whose layer work reads a layer's weights and nothing the runner must keep for later (the weight-only
/// modes: dynamic int8, weight-only int8, int4). The runner drops each layer's weight values once its result is made
/// (<see cref="PassLayer.ReleaseWeights"/>), and the pass's Apply reads them again one layer at a time, so a model's
/// weights pass through memory a layer at a time instead of all at once. The values read again are the same (tensors
/// are immutable), so the output does not change.
/// </summary>
public interface IWeightStreamingPass : ICompressionPass
{
}
