using Google.Protobuf;
using ModelCompress.Onnx.Internal;

namespace ModelCompress.Onnx;

/// <summary>Saving: atomic file writes, external data, and serialization to memory.</summary>
public sealed partial class OnnxModel
{
    /// <summary>
    /// Saves the model to <paramref name="path"/> atomically: the model (and its external data file, if any) are
    /// written to temporary files in the same folder, flushed, then renamed into place, so a reader never sees a
    /// half-written model. Large initializers go to <c>&lt;file&gt;.data</c> beside it per
    /// <see cref="OnnxSaveOptions.ExternalDataThreshold"/>; their bytes are streamed, so a model larger than memory
    /// can be saved when its tensors are external or generated. The same model always gives the same bytes.
    /// </summary>
    public void Save(string path, OnnxSaveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new OnnxSaveOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ExternalDataAlignment);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var location = options.ExternalDataFileName ?? Path.GetFileName(full) + ".data";
        if (location.Length == 0 || location.IndexOfAny(['/', '\\', ':']) >= 0 || location is "." or ".."
            || string.Equals(location, Path.GetFileName(full), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The external data file name '{location}' must be a plain file name other than the model's.", nameof(options));
        }

        var threshold = ResolveThreshold(options);
        CheckInlineSize(threshold);
        var finalData = Path.Combine(folder, location);
        var stamp = Guid.NewGuid().ToString("N");
        var tempModel = Path.Combine(folder, $".{Path.GetFileName(full)}.{stamp}.tmp");
        var tempData = Path.Combine(folder, $".{location}.{stamp}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(folder);
            using var writer = new SaveTensorWriter(threshold is null ? null : tempData, location, threshold ?? long.MaxValue, options.ExternalDataAlignment);
            var proto = ToProto(writer);
            using (var stream = new FileStream(tempModel, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                proto.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            writer.Complete();
            if (writer.WroteExternalData)
            {
                File.Move(tempData, finalData, overwrite: true);
            }

            File.Move(tempModel, full, overwrite: true);
            writer.Rebind(finalData);
            FilePath = full;
        }
        catch (IOException e)
        {
            throw OnnxErrors.Create("MC1013", full, e, "write", full, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw OnnxErrors.Create("MC1013", full, e, "write", full, e.Message);
        }
        finally
        {
            TryDelete(tempModel);
            TryDelete(tempData);
        }
    }

    /// <summary>Writes the model with all data inline (MC1012 over 2 GB).</summary>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckInlineSize(null);
        ToProto(InlineTensorWriter.Instance).WriteTo(destination);
    }

    /// <summary>The serialized model with all data inline (external data is read; MC1012 over 2 GB).</summary>
    public byte[] ToBytes()
    {
        CheckInlineSize(null);
        return ToProto(InlineTensorWriter.Instance).ToByteArray();
    }

    private long? ResolveThreshold(OnnxSaveOptions options)
    {
        if (options.ExternalDataThreshold is { } explicitThreshold)
        {
            return explicitThreshold == long.MaxValue ? null : Math.Max(0, explicitThreshold);
        }

        var tensors = Graph.AllTensorsRecursive().ToList();
        var needsExternal = tensors.Any(t => t.IsExternal) || tensors.Sum(t => t.ByteLength) > OnnxSaveOptions.InlineLimitBytes;
        return needsExternal ? OnnxSaveOptions.DefaultExternalDataThreshold : null;
    }

    private void CheckInlineSize(long? threshold)
    {
        long inline = 0;
        foreach (var g in Graph.AllGraphsRecursive())
        {
            inline += g.Initializers.Values.Where(t => threshold is null || !t.CanBeExternal || t.ByteLength < threshold).Sum(t => t.ByteLength);
        }

        inline += Graph.AllNodesRecursive().SelectMany(n => n.Attributes).SelectMany(a => a.Tensors).Sum(t => t.ByteLength);
        if (inline > OnnxSaveOptions.InlineLimitBytes)
        {
            throw OnnxErrors.Create("MC1012", FilePath, inline);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is harmless and has a unique name.
        }
    }
}
