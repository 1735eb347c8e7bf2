using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Typed attribute access. A Get* call on an attribute of another type is MC1014, never a silent default.</summary>
public sealed partial class OnnxNode
{
    /// <summary>The attribute named <paramref name="name"/>, or null.</summary>
    public OnnxAttribute? GetAttribute(string name) => _attributes.Find(a => a.Name == name);

    /// <summary>Whether the node has an attribute named <paramref name="name"/>.</summary>
    public bool HasAttribute(string name) => GetAttribute(name) is not null;

    /// <summary>An Int attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt(string name, long defaultValue = 0) =>
        Typed(name, OnnxAttributeType.Int) is { } a ? a.Int : defaultValue;

    /// <summary>A Float attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public float GetFloat(string name, float defaultValue = 0f) =>
        Typed(name, OnnxAttributeType.Float) is { } a ? a.Float : defaultValue;

    /// <summary>A String attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public string? GetString(string name, string? defaultValue = null) =>
        Typed(name, OnnxAttributeType.String) is { } a ? a.String : defaultValue;

    /// <summary>An Ints attribute (a copy), or <paramref name="defaultValue"/> (empty when null) when absent.</summary>
    public long[] GetInts(string name, long[]? defaultValue = null) =>
        Typed(name, OnnxAttributeType.Ints) is { } a ? [.. a.Ints] : defaultValue ?? [];

    /// <summary>A Floats attribute (a copy), or <paramref name="defaultValue"/> (empty when null) when absent.</summary>
    public float[] GetFloats(string name, float[]? defaultValue = null) =>
        Typed(name, OnnxAttributeType.Floats) is { } a ? [.. a.Floats] : defaultValue ?? [];

    /// <summary>A Strings attribute, or <paramref name="defaultValue"/> (empty when null) when absent.</summary>
    public string[] GetStrings(string name, string[]? defaultValue = null) =>
        Typed(name, OnnxAttributeType.Strings) is { } a ? [.. a.Strings] : defaultValue ?? [];

    /// <summary>A Tensor attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public OnnxTensor? GetTensor(string name, OnnxTensor? defaultValue = null) =>
        Typed(name, OnnxAttributeType.Tensor) is { } a ? a.Tensor : defaultValue;

    /// <summary>A Graph attribute (the live subgraph), or <paramref name="defaultValue"/> when absent.</summary>
    public OnnxGraph? GetGraph(string name, OnnxGraph? defaultValue = null) =>
        Typed(name, OnnxAttributeType.Graph) is { } a ? a.Graph : defaultValue;

    /// <summary>Sets (adds or replaces) an Int attribute.</summary>
    public OnnxNode SetAttribute(string name, long value) => SetAttribute(OnnxAttribute.Create(name, value));

    /// <summary>Sets an Int attribute (convenience for <see cref="int"/> literals).</summary>
    public OnnxNode SetAttribute(string name, int value) => SetAttribute(OnnxAttribute.Create(name, (long)value));

    /// <summary>Sets a Float attribute.</summary>
    public OnnxNode SetAttribute(string name, float value) => SetAttribute(OnnxAttribute.Create(name, value));

    /// <summary>Sets a String attribute.</summary>
    public OnnxNode SetAttribute(string name, string value) => SetAttribute(OnnxAttribute.Create(name, value));

    /// <summary>Sets an Ints attribute.</summary>
    public OnnxNode SetAttribute(string name, long[] values) => SetAttribute(OnnxAttribute.Create(name, (IEnumerable<long>)values));

    /// <summary>Sets a Floats attribute.</summary>
    public OnnxNode SetAttribute(string name, float[] values) => SetAttribute(OnnxAttribute.Create(name, (IEnumerable<float>)values));

    /// <summary>Sets a Strings attribute.</summary>
    public OnnxNode SetAttribute(string name, string[] values) => SetAttribute(OnnxAttribute.Create(name, (IEnumerable<string>)values));

    /// <summary>Sets a Tensor attribute.</summary>
    public OnnxNode SetAttribute(string name, OnnxTensor value) => SetAttribute(OnnxAttribute.Create(name, value));

    /// <summary>Sets a Graph attribute; the graph becomes this node's subgraph.</summary>
    public OnnxNode SetAttribute(string name, OnnxGraph value) => SetAttribute(OnnxAttribute.Create(name, value));

    /// <summary>Sets (adds or replaces, keeping its position) an attribute.</summary>
    public OnnxNode SetAttribute(OnnxAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        foreach (var g in attribute.Graphs)
        {
            if (g.ParentNode is not null && g.ParentNode != this)
            {
                throw new InvalidOperationException($"Graph '{g.Name}' is already a subgraph of node '{g.ParentNode.Name}'; clone it first.");
            }
        }

        var index = _attributes.FindIndex(a => a.Name == attribute.Name);
        if (index >= 0)
        {
            Detach(_attributes[index]);
            _attributes[index] = attribute;
            foreach (var g in attribute.Graphs)
            {
                g.ParentNode = this;
            }
        }
        else
        {
            AttachAttribute(attribute);
        }

        Touch();
        return this;
    }

    /// <summary>Removes the attribute named <paramref name="name"/>; returns whether there was one.</summary>
    public bool RemoveAttribute(string name)
    {
        var index = _attributes.FindIndex(a => a.Name == name);
        if (index < 0)
        {
            return false;
        }

        Detach(_attributes[index]);
        _attributes.RemoveAt(index);
        Touch();
        return true;
    }

    private void AttachAttribute(OnnxAttribute attribute)
    {
        _attributes.Add(attribute);
        foreach (var g in attribute.Graphs)
        {
            g.ParentNode = this;
        }
    }

    private static void Detach(OnnxAttribute attribute)
    {
        foreach (var g in attribute.Graphs)
        {
            g.ParentNode = null;
        }
    }

    private OnnxAttribute? Typed(string name, OnnxAttributeType expected)
    {
        var a = GetAttribute(name);
        if (a is not null && a.Type != expected)
        {
            throw OnnxErrors.Create("MC1014", null, name, string.IsNullOrEmpty(Name) ? OpType : Name, a.Type, expected);
        }

        return a;
    }
}
