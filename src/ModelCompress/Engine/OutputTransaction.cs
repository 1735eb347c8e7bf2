using ModelCompress.Data;

namespace ModelCompress.Engine;

/// <summary>
/// The outputs of one run, staged under temporary names and renamed to their final names only by
/// <see cref="Commit"/>. Disposing without committing deletes every staged file, so a failed or cancelled run
/// leaves no final-named partial output.
/// </summary>
public sealed class OutputTransaction : IDisposable
{
    private readonly List<(string Temp, string Final)> _staged = [];
    private readonly List<string> _committed = [];

    // Folders holding a staged model and its external data under their final names (ONNX Runtime resolves the data
    // beside the model), themselves under a temporary name: deleted on commit, once emptied, or on dispose.
    private readonly List<string> _folders = [];

    /// <summary>Stages <paramref name="bytes"/> for <paramref name="finalPath"/>; returns the temporary path, readable until commit.</summary>
    public string Stage(string finalPath, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(finalPath);
        var temp = AtomicFile.CreateTempPath(full);
        try
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }

        Unstage(full);
        _staged.Add((temp, full));
        return temp;
    }

    /// <summary>
    /// Stages a model that <paramref name="write"/> writes as two files, the model and its external data named
    /// <paramref name="dataFileName"/> (given the temporary model path and data path, which lie in a fresh temporary
    /// folder beside <paramref name="finalModelPath"/> under their final names, so the staged model opens as it will
    /// once committed). The data file is staged before the model, so commit renames it first: a final-named model never
    /// refers to data that is not in place. Returns the temporary model path, readable until commit.
    /// </summary>
    public string StageModel(string finalModelPath, string dataFileName, Action<string, string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(finalModelPath);
        var finalData = Path.Combine(Path.GetDirectoryName(full)!, dataFileName);
        var folder = AtomicFile.CreateTempPath(full);
        Directory.CreateDirectory(folder);
        _folders.Add(folder);
        var tempModel = Path.Combine(folder, Path.GetFileName(full));
        var tempData = Path.Combine(folder, dataFileName);
        write(tempModel, tempData);
        Unstage(full);
        Unstage(finalData);
        if (File.Exists(tempData))
        {
            _staged.Add((tempData, finalData));
        }

        _staged.Add((tempModel, full));
        return tempModel;
    }

    private void Unstage(string final) => _staged.RemoveAll(s =>
    {
        if (s.Final == final)
        {
            AtomicFile.TryDelete(s.Temp);
            return true;
        }

        return false;
    });

    /// <summary>
    /// Counts <paramref name="finalPath"/>, already in place and unchanged, as an output of this run (for the manifest)
    /// without writing it again.
    /// </summary>
    public void Keep(string finalPath) => _committed.Add(Path.GetFullPath(finalPath));

    /// <summary>The full final paths of everything staged or committed so far.</summary>
    public IReadOnlyList<string> FinalPaths => [.. _committed, .. _staged.Select(s => s.Final)];

    /// <summary>The temporary path currently staged for <paramref name="finalPath"/>, if any.</summary>
    public string? TempPathOf(string finalPath)
    {
        var full = Path.GetFullPath(finalPath);
        return _staged.FirstOrDefault(s => s.Final == full).Temp;
    }

    /// <summary>Renames every staged file to its final name, in staging order.</summary>
    public void Commit()
    {
        foreach (var (temp, final) in _staged.ToList())
        {
            File.Move(temp, final, overwrite: true);
            _staged.Remove((temp, final));
            _committed.Add(final);
        }

        DeleteFolders();
    }

    /// <summary>Deletes whatever is still staged.</summary>
    public void Dispose()
    {
        foreach (var (temp, _) in _staged)
        {
            AtomicFile.TryDelete(temp);
        }

        _staged.Clear();
        DeleteFolders();
    }

    private void DeleteFolders()
    {
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover temporary folder has a unique name no run trusts.
            }
        }

        _folders.Clear();
    }
}
