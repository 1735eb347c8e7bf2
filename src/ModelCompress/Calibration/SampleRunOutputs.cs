using System.Collections;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompress.Calibration;

/// <summary>
/// One calibration sample's outputs together with the input values that produced them. A requested tensor that is a
/// graph input (a first Conv's input, observed for its patches) may come back as a view of the input's own memory, and
/// an input value pins its managed array only while it lives: disposing the inputs before the outputs are read would let
/// the garbage collector move or reuse that array under the output, so both are disposed together, outputs first.
/// </summary>
internal sealed class SampleRunOutputs(IDisposableReadOnlyCollection<OrtValue> outputs, List<OrtValue> inputs) : IDisposableReadOnlyCollection<OrtValue>
{
    public int Count => outputs.Count;

    public OrtValue this[int index] => outputs[index];

    public IEnumerator<OrtValue> GetEnumerator() => outputs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        outputs.Dispose();
        foreach (var v in inputs)
        {
            v.Dispose();
        }
    }
}
