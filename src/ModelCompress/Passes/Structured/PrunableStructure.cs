using ModelCompress.Analysis;
using ModelCompress.Recipe;

namespace ModelCompress.Passes;

/// <summary>
/// A set of channels that can be removed as one: the output channels of <see cref="Producers"/> (an MLP's up and gate
/// linears, or a Conv) flow through channel-wise ops only (activations, gating products, per-channel constants,
/// BatchNormalization, pooling) into <see cref="Consumer"/>, which contracts them. Dropping channel j removes column
/// j of every producer (and its bias entry), entry j of every per-channel constant on the way, and input row j of the
/// consumer; every other value of the model is unchanged, because the channel only ever reached the model through
/// the consumer's product.
/// </summary>
/// <param name="Kind">What sort of structure it is.</param>
/// <param name="Producers">The layers whose output channels are removed.</param>
/// <param name="Consumer">The layer whose input channels are removed.</param>
/// <param name="Channels">The channel count C before pruning.</param>
/// <param name="RegionValues">The values between producers and consumer that carry the channels (their declared shapes are dropped).</param>
/// <param name="ChannelConstants">Constant operands on the way that hold one value per channel, with the axis to slice.</param>
/// <param name="GroupSize">Channels removed together (1; for attention, the head size).</param>
/// <param name="Heads">For attention, where each head's channels sit in the producers and which shapes name the head count.</param>
internal sealed record PrunableStructure(
    StructuredTarget Kind,
    IReadOnlyList<LinearLayer> Producers,
    LinearLayer Consumer,
    int Channels,
    IReadOnlyList<string> RegionValues,
    IReadOnlyList<ChannelConstant> ChannelConstants,
    int GroupSize = 1,
    HeadLayout? Heads = null)
{
    /// <summary>How many groups (channels, or heads) the structure has.</summary>
    public int Groups => Channels / GroupSize;

    /// <summary>A display name: the consumer with the producers it reads.</summary>
    public string Name => $"{Consumer.Name} <- {string.Join(" + ", Producers.Select(p => p.Name))}";
}
