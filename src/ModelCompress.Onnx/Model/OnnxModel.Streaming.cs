using Google.Protobuf;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Saving for a caller that owns the atomic renames (an output transaction staging several files).</summary>
public sealed partial class OnnxModel
{
    /// <summary>
    /// Writes the model to <paramref name="modelPath"/> with every initializer of at least <paramref name="threshold"/>
    /// bytes streamed, one tensor at a time, into <paramref name="dataPath"/>, which the model names as
    /// <paramref name="location"/> (the data file's name once the caller has renamed it beside the model). The data
    /// file is written and flushed first and the model file last, so a model file never exists before its data. Both
    /// paths must be new (nothing is overwritten); nothing is renamed and this model's tensors keep their storage.
    /// Returns the bytes written to the model file and the data file (0 when no tensor was large enough).
    /// </summary>
    public (long ModelBytes, long DataBytes) WriteWithExternalData(
        string modelPath, string dataPath, string location, long threshold = OnnxSaveOptions.DefaultExternalDataThreshold, int alignment = 4096)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(dataPath);
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alignment);
        if (location.IndexOfAny(['/', '\\', ':']) >= 0 || location is "." or "..")
        {
            throw new ArgumentException($"The external data file name '{location}' must be a plain file name.", nameof(location));
        }

        CheckInlineSize(threshold);
        long dataBytes = 0;
        using (var writer = new SaveTensorWriter(dataPath, location, threshold, alignment))
        {
            var proto = ToProto(writer);
            writer.Complete();
            if (writer.WroteExternalData)
            {
                dataBytes = new FileInfo(dataPath).Length;
            }

            using var stream = new FileStream(modelPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            proto.WriteTo(stream);
            stream.Flush(flushToDisk: true);
        }

        return (new FileInfo(modelPath).Length, dataBytes);
    }
}
