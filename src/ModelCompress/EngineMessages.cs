using ModelCompress.Onnx.Diagnostics;

namespace ModelCompress;

/// <summary>The engine assembly's coded messages (<c>Resources/Messages.resx</c>: MC2xxx recipe, MC3xxx+ passes).</summary>
public static class EngineMessages
{
    /// <summary>The catalog over this assembly's message resource.</summary>
    public static MessageCatalog Engine { get; } = new("ModelCompress.Resources.Messages", typeof(EngineMessages).Assembly);
}
