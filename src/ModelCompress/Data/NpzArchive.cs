using System.IO.Compression;
using ModelCompress.Diagnostics;
using ModelCompress.Engine;

namespace ModelCompress.Data;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip file with one <c>name.npy</c> entry per array (what
/// <c>np.savez</c> and <c>np.savez_compressed</c> produce). Array names are the entry names without <c>.npy</c>.
/// </summary>
public static class NpzArchive
{
    /// <summary>Reads every array of the archive at <paramref name="path"/>, keyed by name (ordinal order).</summary>
    public static IReadOnlyDictionary<string, NdArray> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw EngineDiagnostics.Fail("MC3002", path, path);
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            var result = new SortedDictionary<string, NdArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                var name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                using var stream = entry.Open();
                try
                {
                    result[name] = NpyReader.Read(stream);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"entry '{entry.FullName}': {ex.Message}", ex);
                }
            }

            return result;
        }
        catch (InvalidDataException ex)
        {
            throw EngineDiagnostics.Fail("MC3003", path, path, ex.Message);
        }
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> as an uncompressed archive in ordinal name order with fixed entry timestamps,
    /// so the same arrays always give the same bytes.
    /// </summary>
    public static void WriteFile(string path, IReadOnlyDictionary<string, NdArray> arrays)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, array) in arrays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var stream = entry.Open();
            NpyWriter.Write(stream, array);
        }
    }
}
