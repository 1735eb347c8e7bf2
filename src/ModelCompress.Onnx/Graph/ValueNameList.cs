using System.Collections;
using Google.Protobuf.Collections;

namespace ModelCompress.Onnx.Internal;

/// <summary>
/// A node's input or output names: the proto's own list, plus a callback on every change so the owning graph can drop
/// its producer/consumer index. Null names are refused; "" marks an omitted optional input or output.
/// </summary>
internal sealed class ValueNameList(RepeatedField<string> items, Action changed) : IList<string>, IReadOnlyList<string>
{
    public int Count => items.Count;

    public bool IsReadOnly => false;

    public string this[int index]
    {
        get => items[index];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            items[index] = value;
            changed();
        }
    }

    public void Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        items.Add(item);
        changed();
    }

    public void Clear()
    {
        items.Clear();
        changed();
    }

    public bool Contains(string item) => items.Contains(item);

    public void CopyTo(string[] array, int arrayIndex) => items.CopyTo(array, arrayIndex);

    public IEnumerator<string> GetEnumerator() => items.GetEnumerator();

    public int IndexOf(string item) => items.IndexOf(item);

    public void Insert(int index, string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        items.Insert(index, item);
        changed();
    }

    public bool Remove(string item)
    {
        var removed = items.Remove(item);
        if (removed)
        {
            changed();
        }

        return removed;
    }

    public void RemoveAt(int index)
    {
        items.RemoveAt(index);
        changed();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", items);
}
