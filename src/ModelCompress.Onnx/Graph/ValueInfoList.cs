using System.Collections.ObjectModel;

namespace ModelCompress.Onnx.Internal;

/// <summary>A graph's inputs, outputs or value_info: a plain list that tells the graph when it changes.</summary>
internal sealed class ValueInfoList(Action changed) : Collection<OnnxValueInfo>
{
    protected override void InsertItem(int index, OnnxValueInfo item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.InsertItem(index, item);
        changed();
    }

    protected override void SetItem(int index, OnnxValueInfo item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.SetItem(index, item);
        changed();
    }

    protected override void RemoveItem(int index)
    {
        base.RemoveItem(index);
        changed();
    }

    protected override void ClearItems()
    {
        base.ClearItems();
        changed();
    }
}
