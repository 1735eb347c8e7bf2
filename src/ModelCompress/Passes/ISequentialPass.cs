namespace ModelCompress.Passes;

/// <summary>
/// A pass whose layers depend on the results of the layers before them (layer-wise distillation feeds each layer the
/// inputs the student produces with every earlier layer already re-fitted). The engine hands it each layer's outcome,
/// computed or read from the cache, in graph order, before the next layer's result is asked for. Its work keys must
/// still cover everything a result depends on: for distillation, the layer's input statistics on the model before the
/// step, which depend on every earlier layer's weights and hence on every earlier result.
/// </summary>
public interface ISequentialPass : ICompressionPass
{
    /// <summary>Called once per layer, in order, with its result.</summary>
    void LayerDone(LayerOutcome outcome);
}
