using System.Text;

namespace ModelCompress.Data;

/// <summary>
/// Writes files so that a reader (or a build) never sees a half-written one: the bytes go to a temporary file in the
/// same folder, which is then renamed over the final name (a rename within one volume is atomic on every platform
/// .NET supports). A failure or a cancellation leaves at most a temporary file, which is deleted.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files, so leftovers of a killed process are recognisable.</summary>
    public const string TempSuffix = ".mctmp";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = CreateTempPath(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark, atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));

    /// <summary>A fresh temporary path beside <paramref name="path"/> (same folder, so the rename stays on one volume).</summary>
    public static string CreateTempPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + TempSuffix);
    }

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring failures (cleanup must not hide the real error).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
