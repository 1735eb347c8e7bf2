using System.Runtime.InteropServices;

namespace ModelCompress.Cache;

/// <summary>
/// What the file system says about a file without reading it: length, last-write time (UTC ticks) and, where the
/// platform reports them (Linux, through <c>statx</c>), the device, inode and status-change time. The change time
/// cannot be set back by a program the way the last-write time can, so an edit that keeps the length and restores the
/// last-write time still gives a different stamp there.
/// </summary>
internal readonly record struct FileStamp(long Length, long LastWriteTicks, ulong Device, ulong Inode, long ChangeTicks)
{
    // statx(2): AT_FDCWD, STATX_BASIC_STATS, and the byte offsets of the fields read from struct statx (its layout is
    // the same on every architecture, unlike struct stat's).
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int InodeOffset = 32;
    private const int CtimeOffset = 96;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;

    private static bool _noStatx;

    /// <summary>Whether the change time and inode were read (false: only length and last-write time are known).</summary>
    public bool HasChangeTime => ChangeTicks != 0;

    /// <summary>The stamp of <paramref name="path"/>, or null when the file is missing or unreadable.</summary>
    public static FileStamp? Of(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            var (device, inode, change) = Unix(path);
            return new FileStamp(info.Length, info.LastWriteTimeUtc.Ticks, device, inode, change);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a digest taken at <paramref name="hashedAtTicks"/> can stand for this stamp: a file changed within
    /// <paramref name="granularity"/> of the hash may be changed again later in the same timestamp tick, which the stamp
    /// would not show, so such a digest is never trusted.
    /// </summary>
    public bool SettledBefore(long hashedAtTicks, TimeSpan granularity)
    {
        var limit = hashedAtTicks - granularity.Ticks;
        return LastWriteTicks < limit && ChangeTicks < limit;
    }

    private static (ulong Device, ulong Inode, long ChangeTicks) Unix(string path)
    {
        if (_noStatx || !OperatingSystem.IsLinux())
        {
            return (0, 0, 0);
        }

        try
        {
            var buffer = new byte[StatxSize];
            if (StatX(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
            {
                return (0, 0, 0);
            }

            var inode = BitConverter.ToUInt64(buffer, InodeOffset);
            var seconds = BitConverter.ToInt64(buffer, CtimeOffset);
            var nanoseconds = BitConverter.ToUInt32(buffer, CtimeOffset + 8);
            var device = ((ulong)BitConverter.ToUInt32(buffer, DevMajorOffset) << 32) | BitConverter.ToUInt32(buffer, DevMinorOffset);
            var change = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
            return (device, inode, change);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // An old C library without statx: length and last-write time only, as on other systems.
            _noStatx = true;
            return (0, 0, 0);
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int StatX(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
