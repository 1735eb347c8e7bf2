namespace ModelCompress.Onnx.Internal;

/// <summary>
/// Resolves <c>external_data</c> locations against the model's folder and refuses anything that could read files the
/// model's author should not reach: absolute paths, drive or UNC prefixes, <c>..</c> segments, and symbolic links whose
/// target leaves the folder. A refused location is never opened (not even to check that it exists).
/// </summary>
internal sealed class ExternalDataResolver
{
    private readonly string? _baseDirectory;
    private readonly string? _realBase;
    private readonly Dictionary<string, long> _fileSizes = new(StringComparer.Ordinal);

    public ExternalDataResolver(string? baseDirectory)
    {
        if (baseDirectory is null)
        {
            return;
        }

        _baseDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory));
        _realBase = RealPath(_baseDirectory);
    }

    public string? BaseDirectory => _baseDirectory;

    /// <summary>Returns the full path of <paramref name="location"/> or throws MC1006/MC1007/MC1010.</summary>
    public string Resolve(string tensorName, string location)
    {
        if (_baseDirectory is null || _realBase is null)
        {
            throw OnnxErrors.Create("MC1010", null, tensorName, location);
        }

        var normalized = location.Replace('\\', '/');
        var segments = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var escapes = normalized.Length == 0
            || normalized.StartsWith('/')
            || Path.IsPathRooted(location)
            || (normalized.Length >= 2 && normalized[1] == ':')
            || segments.Length == 0
            || segments.Any(s => s == ".." || s.Contains(':', StringComparison.Ordinal))
            || normalized.Contains('\0', StringComparison.Ordinal);
        if (escapes)
        {
            throw OnnxErrors.Create("MC1006", null, tensorName, location, _baseDirectory);
        }

        var full = Path.GetFullPath(Path.Combine([_baseDirectory, .. segments]));
        if (!IsInside(full, _baseDirectory))
        {
            throw OnnxErrors.Create("MC1006", null, tensorName, location, _baseDirectory);
        }

        // Walk the path one component at a time: a link anywhere along it must end inside the (real) folder.
        var current = _baseDirectory;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !IsInside(RealPath(target.FullName), _realBase))
                {
                    throw OnnxErrors.Create("MC1006", null, tensorName, location, _baseDirectory);
                }
            }
        }

        if (!File.Exists(full))
        {
            throw OnnxErrors.Create("MC1007", null, tensorName, location);
        }

        return full;
    }

    /// <summary>The size of an already resolved data file (cached: a model may have thousands of tensors in one file).</summary>
    public long FileSize(string fullPath)
    {
        if (!_fileSizes.TryGetValue(fullPath, out var size))
        {
            size = new FileInfo(fullPath).Length;
            _fileSizes[fullPath] = size;
        }

        return size;
    }

    private static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.StartsWith(folder + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>The path with every symbolic link along it replaced by its final target.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is not null)
                {
                    current = RealPath(target.FullName);
                }
            }
        }

        return Path.TrimEndingDirectorySeparator(current);
    }
}
