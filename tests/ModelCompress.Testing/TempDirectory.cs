namespace ModelCompress.Testing;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempDirectory()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "modelcompress-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    /// <summary>The folder's full path.</summary>
    public string FullPath { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => Path.Combine(FullPath, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS temp cleaner removes leftovers.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
