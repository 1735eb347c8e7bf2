using ModelCompress.Onnx;
using Xunit;

namespace ModelCompress.Testing;

/// <summary>Structural comparison of models: same nodes, attributes, initializer bytes and declared types.</summary>
public static class ModelAssert
{
    /// <summary>Asserts that two models are semantically identical (everything the graph means, not the file layout).</summary>
    public static void Equivalent(OnnxModel expected, OnnxModel actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.IrVersion, actual.IrVersion);
        Assert.Equal(expected.OpsetImports.OrderBy(k => k.Key), actual.OpsetImports.OrderBy(k => k.Key));
        Assert.Equal(expected.ProducerName, actual.ProducerName);
        Assert.Equal(expected.MetadataProps, actual.MetadataProps);
        Assert.Equal(expected.FunctionCount, actual.FunctionCount);
        Equivalent(expected.Graph, actual.Graph);
    }

    /// <summary>Asserts that two graphs (and their subgraphs) are semantically identical.</summary>
    public static void Equivalent(OnnxGraph expected, OnnxGraph actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Nodes.Count, actual.Nodes.Count);
        for (var i = 0; i < expected.Nodes.Count; i++)
        {
            NodeEquivalent(expected.Nodes[i], actual.Nodes[i]);
        }

        Assert.Equal(expected.Initializers.Keys, actual.Initializers.Keys);
        foreach (var (name, tensor) in expected.Initializers)
        {
            Assert.True(tensor.DataEquals(actual.Initializers[name]), $"Initializer '{name}' differs.");
        }

        InfosEqual(expected.Inputs, actual.Inputs);
        InfosEqual(expected.Outputs, actual.Outputs);
        InfosEqual(expected.ValueInfos, actual.ValueInfos);
    }

    private static void NodeEquivalent(OnnxNode e, OnnxNode a)
    {
        var where = e.ToString();
        Assert.Equal(e.Name, a.Name);
        Assert.Equal(e.OpType, a.OpType);
        Assert.Equal(e.Domain, a.Domain);
        Assert.Equal(e.Inputs, a.Inputs);
        Assert.Equal(e.Outputs, a.Outputs);
        Assert.Equal(e.Attributes.Select(x => (x.Name, x.Type)), a.Attributes.Select(x => (x.Name, x.Type)));
        for (var i = 0; i < e.Attributes.Count; i++)
        {
            var x = e.Attributes[i];
            var y = a.Attributes[i];
            Assert.True(x.Int == y.Int, $"{where}: attribute {x.Name} int");
            Assert.True(BitConverter.SingleToInt32Bits(x.Float) == BitConverter.SingleToInt32Bits(y.Float), $"{where}: attribute {x.Name} float");
            Assert.True(x.Bytes.Span.SequenceEqual(y.Bytes.Span), $"{where}: attribute {x.Name} string");
            Assert.Equal(x.Ints, y.Ints);
            Assert.Equal(x.Floats.Select(BitConverter.SingleToInt32Bits), y.Floats.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(x.Strings, y.Strings);
            Assert.Equal(x.Tensors.Count, y.Tensors.Count);
            for (var t = 0; t < x.Tensors.Count; t++)
            {
                Assert.True(x.Tensors[t].DataEquals(y.Tensors[t]), $"{where}: attribute {x.Name} tensor {t}");
            }

            Assert.Equal(x.Graphs.Count, y.Graphs.Count);
            for (var g = 0; g < x.Graphs.Count; g++)
            {
                Equivalent(x.Graphs[g], y.Graphs[g]);
            }
        }
    }

    private static void InfosEqual(IList<OnnxValueInfo> e, IList<OnnxValueInfo> a) =>
        Assert.Equal(e.Select(v => v.ToString()), a.Select(v => v.ToString()));
}
