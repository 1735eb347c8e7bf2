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

        _staged.RemoveAll(s =>
        {
            if (s.Final == full)
            {
                AtomicFile.TryDelete(s.Temp);
                return true;
            }

            return false;
        });
        _staged.Add((temp, full));
        return temp;
    }

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
    }

    /// <summary>Deletes whatever is still staged.</summary>
    public void Dispose()
    {
        foreach (var (temp, _) in _staged)
        {
            AtomicFile.TryDelete(temp);
        }

        _staged.Clear();
    }
}
