using Microsoft.ML.OnnxRuntime;
using ModelCompress.Diagnostics;
using ModelCompress.Quantization;

namespace ModelCompress.Calibration;

/// <summary>Feeding one sample to ONNX Runtime.</summary>
public static partial class ActivationCalibrator
{
    /// <summary>
    /// Runs one sample and returns the requested outputs (the caller disposes them); the sample's input values live, and
    /// keep their arrays pinned, until then (<see cref="SampleRunOutputs"/>).
    /// </summary>
    internal static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session, IReadOnlyList<CalibrationInput> sample, IReadOnlyList<string> outputs, ICalibrationSource source, int index)
    {
        var values = new List<OrtValue>(sample.Count);
        try
        {
            foreach (var input in sample)
            {
                values.Add(ToOrtValue(input));
            }

            using var run = new RunOptions();
            return new SampleRunOutputs(session.Run(run, [.. sample.Select(s => s.Name)], values, [.. outputs]), values);
        }
        catch (OnnxRuntimeException e)
        {
            DisposeAll(values);
            throw EngineDiagnostics.Fail("MC3102", null, e, $"sample {index} of {source.Description}", e.Message);
        }
        catch
        {
            DisposeAll(values);
            throw;
        }
    }

    private static void DisposeAll(List<OrtValue> values)
    {
        foreach (var v in values)
        {
            v.Dispose();
        }
    }

    /// <summary>Wraps a sample tensor's managed array (pinned for the value's lifetime) as an ONNX Runtime value.</summary>
    internal static OrtValue ToOrtValue(CalibrationInput input) => input.Data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, input.Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, input.Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, input.Shape),
        double[] d => OrtValue.CreateTensorValueFromMemory(d, input.Shape),
        byte[] b => OrtValue.CreateTensorValueFromMemory(b, input.Shape),
        sbyte[] s => OrtValue.CreateTensorValueFromMemory(s, input.Shape),
        bool[] b => OrtValue.CreateTensorValueFromMemory(b, input.Shape),
        _ => throw new ArgumentException($"Unsupported calibration data type {input.Data.GetType().Name} for input '{input.Name}'."),
    };
}
